// The new-session form: show the chosen scenario's own limits as placeholders, explain when
// MESO is impossible, offer the conditions of the chosen protocol (every one for "mixed") and
// the middle seat only where there is one, and move the focus to the problems after a refused
// submit. Without scripts every field shows; the server keeps the chosen protocol's conditions.
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

const middleSet = document.getElementById("fld-middle");
const rotate = document.getElementById("rotate");

function protocol() {
  const r = document.querySelector('input[name="protocol"]:checked');
  return r ? r.value : "offers";
}

function syncProtocol() {
  const p = protocol();
  for (const row of document.querySelectorAll(".cond-choice[data-protocol]")) {
    const box = row.querySelector('input[type="checkbox"]');
    const shown = p === "mixed" || row.dataset.protocol === p;
    row.hidden = !shown;
    // a protocol of one condition (mediated, single text) has that one, chosen
    if (shown && p !== "mixed" && p !== "offers") box.checked = true;
  }
  middleSet.hidden = p === "offers";
  const middle = document.querySelector('input[name="middle"]:checked');
  rotate.disabled = !middle || middle.value !== "players";
  if (rotate.disabled) rotate.checked = false;
}

for (const r of document.querySelectorAll('input[name="protocol"], input[name="middle"]')) {
  r.addEventListener("change", syncProtocol);
}
syncProtocol();
select.addEventListener("change", update);
noLimit.addEventListener("change", syncLimit);
update();
syncLimit();
