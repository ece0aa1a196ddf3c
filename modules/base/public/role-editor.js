/*
 * The role editor, enhanced: each module's counter follows the ticked boxes, and "Select all of this
 * module" ticks every box the editor may grant there (and clears them when all are ticked). The form
 * works without this file; the server checks what is granted either way.
 */
(function () {
  'use strict';
  function boxesOf(group) {
    return Array.prototype.slice.call(group.querySelectorAll('input[type=checkbox][name=permissions]'));
  }
  function refresh(group) {
    var boxes = boxesOf(group);
    var ticked = boxes.filter(function (b) { return b.checked; }).length;
    var counter = group.querySelector('[data-permission-count]');
    if (counter) counter.textContent = '(' + ticked + '/' + boxes.length + ')';
    var button = group.querySelector('[data-select-module]');
    if (button) {
      var free = boxes.filter(function (b) { return !b.disabled; });
      var all = free.length > 0 && free.every(function (b) { return b.checked; });
      button.textContent = all ? 'Clear this module' : 'Select all of this module';
      button.disabled = free.length === 0;
    }
  }
  function start() {
    Array.prototype.forEach.call(document.querySelectorAll('fieldset.permission-group'), function (group) {
      group.addEventListener('change', function () { refresh(group); });
      var button = group.querySelector('[data-select-module]');
      if (button) {
        button.addEventListener('click', function () {
          var free = boxesOf(group).filter(function (b) { return !b.disabled; });
          var all = free.every(function (b) { return b.checked; });
          free.forEach(function (b) { b.checked = !all; });
          refresh(group);
        });
      }
      refresh(group);
    });
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
