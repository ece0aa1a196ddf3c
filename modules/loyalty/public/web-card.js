// The web card: offers "Add to home screen" where the browser allows it, and tells the shop once it is installed.
(function () {
  var card = document.querySelector('.web-card');
  var button = document.querySelector('.web-card-install');
  if (!card || !button) return;
  var secret = card.getAttribute('data-secret');
  var token = (document.querySelector('meta[name="csrf-token"]') || {}).content || '';
  var offered = null;
  window.addEventListener('beforeinstallprompt', function (event) {
    event.preventDefault();
    offered = event;
    button.hidden = false;
  });
  button.addEventListener('click', function () {
    if (!offered) return;
    offered.prompt();
    offered = null;
    button.hidden = true;
  });
  window.addEventListener('appinstalled', function () {
    fetch('/w/' + secret + '/installed', { method: 'POST', headers: { 'x-csrf-token': token }, credentials: 'same-origin' });
  });
})();
