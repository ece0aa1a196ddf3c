/* Starts swagger-ui on the API reference page (no inline script: the CSP allows 'self' only). */
(function () {
  'use strict';
  function start() {
    var el = document.getElementById('swagger-ui');
    if (!el || !window.SwaggerUIBundle) return;
    var csrf = document.querySelector('meta[name="csrf-token"]');
    el.textContent = '';
    window.SwaggerUIBundle({
      url: el.getAttribute('data-spec-url'),
      domNode: el,
      deepLinking: true,
      // "Try it out" runs with the session: writes carry the page's CSRF token, as the shell's forms do.
      requestInterceptor: function (request) {
        if (csrf) request.headers['X-CSRF-Token'] = csrf.getAttribute('content');
        return request;
      },
    });
    el.setAttribute('data-rendered', 'true');
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
