// The scanner page: reads a card's QR code from the camera or from a picture, then opens the card.
(function () {
  var status = document.getElementById('scanner-status');
  var start = document.getElementById('scanner-start');
  var stop = document.getElementById('scanner-stop');
  var file = document.getElementById('scanner-file');
  if (!status || !start || !file) return;
  var say = function (text) { status.textContent = text; };
  var open = function (decoded) {
    say('Found ' + decoded + '; opening the card…');
    window.location.assign('/loyalty/scanner/find?number=' + encodeURIComponent(String(decoded).trim()));
  };
  var reader = null;
  var scanner = function () {
    if (!window.Html5Qrcode) { say('The scanner could not load; type the number instead.'); return null; }
    reader = reader || new window.Html5Qrcode('scanner-reader');
    return reader;
  };
  start.addEventListener('click', function () {
    var r = scanner();
    if (!r) return;
    r.start({ facingMode: 'environment' }, { fps: 10, qrbox: 220 }, function (decoded) {
      r.stop().then(function () { open(decoded); });
    }, function () {}).then(function () {
      start.hidden = true; stop.hidden = false; say('Point the camera at the card.');
    }, function (error) { say('The camera did not start (' + error + '); scan a picture or type the number.'); });
  });
  stop.addEventListener('click', function () {
    if (reader) reader.stop().then(function () { start.hidden = false; stop.hidden = true; say(''); });
  });
  file.addEventListener('change', function () {
    var r = scanner();
    if (!r || !file.files || !file.files.length) return;
    say('Reading the picture…');
    r.scanFile(file.files[0], false).then(open, function () { say('No QR code found in that picture.'); });
  });
})();
