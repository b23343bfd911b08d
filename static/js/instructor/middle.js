// The instructor in a negotiation's middle seat (docs/instructor.md): the student's middle-seat
// screen (../play/middle.js) over the JSON API. Actions are POSTs with the console's cookie and
// CSRF header; the view is read again after each action and whenever the session changes (the
// /instructor namespace pushes the session, at most once a second).
import { api, bootData, setLiveStatus, watchSession } from "./common.js";
import { announce } from "../shared/dom.js";
import { drawMiddle, middleTick } from "../play/middle.js";

const boot = bootData();
const root = document.getElementById("view-middle");
const problem = document.getElementById("middle-error");
let view = boot.initial;
let shownStatus = view.status;

function draw() {
  drawMiddle(root, view, call, view.status !== "open");
  middleTick(root, view, Date.now() / 1000);
  if (shownStatus === "open" && view.status !== "open") {
    announce("The negotiation has ended.");
    const t = document.getElementById("mid-outcome-title");
    if (t) t.focus();
  }
  shownStatus = view.status;
}

async function refresh() {
  const res = await api("GET", boot.urls.view);
  if (!res.ok) {
    problem.hidden = false;
    problem.textContent = "The negotiation cannot be read now: " + ((res.data.errors || []).join("; ") || "try reloading the page");
    return;
  }
  problem.hidden = true;
  view = res.data;
  draw();
}

// an action of the middle seat: the same answer as a student's Socket.IO call
async function call(kind, payload) {
  const res = await api("POST", boot.urls.act.replace("KIND", encodeURIComponent(kind)), payload);
  const answer = res.data && typeof res.data.ok === "boolean" ? res.data : { ok: false, error: { code: "network", message: "The server cannot be reached: try again." } };
  if (answer.ok) await refresh();
  return answer;
}

draw();
watchSession(boot.code, refresh, (status) => setLiveStatus(document.getElementById("live-status"), status));
setInterval(() => middleTick(root, view, Date.now() / 1000), 1000);
