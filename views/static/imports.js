/*
 * A declared CSV import (core/imports), progressive: with JavaScript a chosen file is sent as it is (raw CSV, any size) to the
 * JSON API, which stores it and starts the preview job; without it, the pasted CSV is posted as a form.
 * On the import's page, the page reloads when its job finishes so the report shows.
 */
(function () {
  'use strict';

  var form = document.getElementById('import-form');
  if (form) {
    var fileField = form.querySelector('[data-file-field]');
    var fileInput = form.querySelector('input[type=file]');
    var errorBox = document.querySelector('[data-import-error]');
    if (fileField) fileField.hidden = false;

    form.addEventListener('submit', function (event) {
      var file = fileInput && fileInput.files && fileInput.files[0];
      if (!file) return; // the pasted CSV goes as a normal form post
      event.preventDefault();
      var button = form.querySelector('button[type=submit]');
      if (button) button.disabled = true;
      var token = (document.querySelector('meta[name="csrf-token"]') || {}).content || '';
      var matchBy = form.querySelector('[name=match_by]').value || 'auto';
      var url = form.getAttribute('data-api') + '?dry_run=true&async=true&match_by=' + encodeURIComponent(matchBy) + '&filename=' + encodeURIComponent(file.name);
      fetch(url, {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'Content-Type': 'text/csv', 'X-CSRF-Token': token, Accept: 'application/json' },
        body: file,
      })
        .then(function (response) {
          return response.json().then(function (json) { return { ok: response.ok, json: json }; });
        })
        .then(function (result) {
          if (result.ok && result.json && result.json.id) {
            window.location.href = form.getAttribute('data-imports') + '/' + result.json.id;
            return;
          }
          var error = (result.json && result.json.error) || {};
          var fields = error.fields || {};
          var first = Object.keys(fields)[0];
          throw new Error(first ? first + ': ' + fields[first] : error.message || 'The file could not be sent');
        })
        .catch(function (error) {
          if (button) button.disabled = false;
          if (errorBox) {
            errorBox.textContent = error.message;
            errorBox.hidden = false;
          }
        });
    });
  }

  if (document.querySelector('[data-import-running]')) {
    document.addEventListener('tessera:job-finished', function () {
      window.location.reload();
    });
  }
})();
