// The new-session form: show the chosen scenario's own limits as placeholders, explain when
// MESO is impossible, and move the focus to the problems after a refused submit.
import "./focus.js";

const select = document.getElementById("scenario");
const timeInput = document.getElementById("time_limit_min");
const offersInput = document.getElementById("max_offers");
const noLimit = document.getElementById("no_limit");
const meso = document.getElementById("cond_meso");
const mesoLabel = document.querySelector('label[for="cond_meso"]');

let mesoNote = null;

function update() {
  const opt = select.selectedOptions[0];
  const tl = opt && opt.dataset.timeLimit;
  timeInput.placeholder = !opt || !opt.value ? "scenario's" : tl ? `${Number(tl) / 60} (scenario's)` : "none (scenario's)";
  offersInput.placeholder = opt && opt.dataset.maxOffers ? `${opt.dataset.maxOffers} (scenario's)` : "scenario's";
  const single = opt && opt.value && Number(opt.dataset.maxPackages) < 2;
  meso.disabled = !!single;
  if (single) meso.checked = false;
  if (single && !mesoNote) {
    mesoNote = document.createElement("span");
    mesoNote.className = "field-note";
    mesoNote.textContent = " (not available: this scenario allows one package an offer)";
    mesoLabel.append(mesoNote);
  } else if (!single && mesoNote) {
    mesoNote.remove();
    mesoNote = null;
  }
}

function syncLimit() {
  timeInput.disabled = noLimit.checked;
}

select.addEventListener("change", update);
noLimit.addEventListener("change", syncLimit);
update();
syncLimit();
