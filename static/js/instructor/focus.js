// Pages that come back with problems move the focus to their summary, so a screen reader
// reads it first and a keyboard user can follow its links to each problem.
const summary = document.getElementById("error-summary");
if (summary) summary.focus();
