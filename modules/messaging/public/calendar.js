// Light progressive behaviour for the calendar; the page works without it.
(function () {
  'use strict';
  // Changing the representative shows their calendar at once.
  document.querySelectorAll('select[data-autosubmit]').forEach(function (select) {
    select.addEventListener('change', function () { select.form.submit(); });
  });
  // Clicking a day (outside its links) picks it in the booking form.
  var day = document.getElementById('book-day');
  if (day) {
    document.querySelectorAll('.cal-day[data-day]').forEach(function (cell) {
      cell.setAttribute('data-pickable', '');
      cell.addEventListener('click', function (event) {
        if (event.target.closest('a')) return;
        day.value = cell.getAttribute('data-day');
        document.getElementById('book-customer').focus();
      });
    });
  }
  // Overbooking asks once more before sending.
  var form = document.getElementById('book-form');
  var confirmBox = document.getElementById('book-confirm');
  if (form && confirmBox) {
    form.addEventListener('submit', function (event) {
      if (confirmBox.checked && !window.confirm('This day is FULL. Book past the maximum?')) event.preventDefault();
    });
  }
})();
