// Reminder campaigns (admin, province and commune staff): compose, target communes / roles /
// topic subscriptions, schedule or repeat, quiet hours, preview (recipients + the notification
// as it will look), send or cancel, and per-campaign counts. The backend limits targets to scope.

import { cancelCampaign, createCampaign, listCampaigns, previewCampaign, sendCampaign } from "../api.js";
import { communePicker } from "../commune-picker.js";
import { communeIndex } from "../communes.js";
import { byId, fill, h } from "../dom.js";
import { formatTime, label, t } from "../i18n.js";
import { STAFF_ROLES } from "../session.js";
import { startPage } from "../shell.js";
import { TOPICS, requireRole } from "../staff.js";

const ROLES = ["volunteer", "commune_staff", "province_staff"];

function checkboxes(container, name, values, labelOf) {
  fill(container, values.map((value) => {
    const id = `${name}-${value}`;
    return h("div", { class: "check" }, h("input", { type: "checkbox", id, name, value }), h("label", { for: id }, labelOf(value)));
  }));
}

const checked = (name) => [...document.querySelectorAll(`input[name=${name}]:checked`)].map((box) => box.value);
const isoOrNull = (value) => (value ? new Date(value).toISOString() : null);
const failed = (error) => t(error.status === 0 ? "staff.needs_network" : "case.action_failed", { reason: error.detail });

async function showCampaigns(me) {
  byId("main-content").hidden = false;
  const names = new Map();
  const entries = await communeIndex().catch(() => []);
  for (const entry of entries) names.set(entry.code, entry.name);
  const allowed = me.role === "commune_staff" ? me.commune_codes
    : me.role === "province_staff" ? entries.filter((e) => e.province_code === me.province_code).map((e) => e.code) : null;
  const picker = communePicker(byId("c-commune"), { allowed });
  const chosen = new Set();
  let current = null; // the campaign being previewed

  const drawChosen = () => fill(byId("c-communes"), [...chosen].map((code) =>
    h("li", {}, names.get(code) || code, " ",
      h("button", { type: "button", class: "quiet", "aria-label": t("campaigns.remove_commune", { name: names.get(code) || code }),
        onclick: () => { chosen.delete(code); drawChosen(); } }, "×"))));
  const drawChecks = () => {
    checkboxes(byId("c-roles"), "role", ROLES, (role) => label("role", role));
    checkboxes(byId("c-topics"), "topic", TOPICS, (topic) => label("topic", topic));
  };
  drawChecks();
  byId("c-add-commune").addEventListener("click", () => {
    if (picker.code) chosen.add(picker.code);
    picker.reset();
    drawChosen();
  });
  const say = (text) => (byId("campaign-line").textContent = text);

  const drawList = async () => {
    try {
      const { items } = await listCampaigns();
      fill(byId("campaigns"), items.length ? items.map((c) => campaignItem(c, names, { preview: () => showPreview(c), send: () => act(sendCampaign, c.id, "campaigns.sent"), cancel: () => act(cancelCampaign, c.id, "campaigns.cancelled") }))
        : h("li", { class: "empty" }, t("campaigns.none")));
    } catch (error) {
      fill(byId("campaigns"), h("li", { class: "error" }, failed(error)));
    }
  };
  const act = async (action, id, key) => {
    try {
      const campaign = await action(id);
      say(t(key, { title: campaign.title }));
      if (current && current.id === id) {
        current = campaign;
        drawPreviewActions();
      }
    } catch (error) {
      say(failed(error));
    }
    await drawList();
  };
  const drawPreviewActions = () => {
    byId("p-send").hidden = current.state !== "draft";
    byId("p-cancel").hidden = !["draft", "scheduled"].includes(current.state);
  };
  const showPreview = async (campaign) => {
    current = campaign;
    try {
      const preview = await previewCampaign(campaign.id);
      byId("preview").hidden = false;
      fill(byId("preview-body"),
        h("p", { id: "preview-count", class: "big-number" }, t("campaigns.recipients", { n: preview.recipients })),
        h("div", { class: "notification", role: "img", "aria-label": t("campaigns.notice_label") },
          h("img", { src: "/icons/icon-192.png", alt: "", width: 40, height: 40 }),
          h("div", {}, h("p", { class: "n-title" }, preview.notice.title), h("p", { class: "n-body" }, preview.notice.body),
            h("p", { class: "meta" }, preview.notice.url))),
        h("p", {}, h("span", { class: `badge campaign-${campaign.state}` }, label("campaign_state", campaign.state)), " ", scheduleText(campaign)));
      drawPreviewActions();
      byId("preview-title").focus();
    } catch (error) {
      say(failed(error));
    }
  };
  byId("p-send").addEventListener("click", () => current && act(sendCampaign, current.id, "campaigns.sent"));
  byId("p-cancel").addEventListener("click", () => current && act(cancelCampaign, current.id, "campaigns.cancelled"));

  byId("campaign-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const error = byId("c-error");
    error.textContent = "";
    const title = byId("c-title").value.trim(), body = byId("c-body").value.trim();
    if (!title || !body) {
      error.textContent = t("campaigns.need_text");
      (title ? byId("c-body") : byId("c-title")).focus();
      return;
    }
    const repeat = Number(byId("c-repeat").value) || null;
    const until = byId("c-until").value;
    const payload = {
      title, body, url: byId("c-url").value.trim() || null,
      communes: chosen.size ? [...chosen] : null,
      roles: checked("role").length ? checked("role") : null,
      topics: checked("topic").length ? checked("topic") : null,
      send_at: isoOrNull(byId("c-send-at").value),
      repeat_days: repeat,
      repeat_until: repeat && until ? isoOrNull(`${until}T23:59`) : null,
      quiet_start: byId("c-quiet-start").value || null,
      quiet_end: byId("c-quiet-end").value || null,
    };
    if (Boolean(payload.quiet_start) !== Boolean(payload.quiet_end)) {
      error.textContent = t("campaigns.quiet_both");
      return;
    }
    try {
      const campaign = await createCampaign(payload);
      say(t(campaign.state === "scheduled" ? "campaigns.scheduled" : "campaigns.drafted", { title: campaign.title }));
      await drawList();
      await showPreview(campaign);
    } catch (problem) {
      error.textContent = failed(problem);
    }
  });
  document.addEventListener("langchange", () => {
    drawChecks();
    drawChosen();
    drawList();
  });
  await drawList();
}

function scheduleText(c) {
  const parts = [];
  if (c.send_at) parts.push(t("campaigns.at", { time: formatTime(c.send_at) }));
  if (c.repeat_days) parts.push(t("campaigns.every", { n: c.repeat_days }) + (c.repeat_until ? ` ${t("campaigns.until", { time: formatTime(c.repeat_until) })}` : ""));
  if (c.quiet_start && c.quiet_end) parts.push(t("campaigns.quiet_between", { start: c.quiet_start, end: c.quiet_end }));
  return parts.join(" · ");
}

function campaignItem(c, names, actions) {
  const counts = c.counts;
  const targets = [
    c.communes?.length ? c.communes.map((code) => names.get(code) || code).join(", ") : t("campaigns.all_communes"),
    c.roles?.length ? c.roles.map((role) => label("role", role)).join(", ") : null,
    c.topics?.length ? c.topics.map((topic) => label("topic", topic)).join(", ") : null,
  ].filter(Boolean).join(" · ");
  return h("li", { class: "campaign", dataset: { id: c.id, state: c.state } },
    h("p", {}, h("strong", {}, c.title), " ", h("span", { class: `badge campaign-${c.state}` }, label("campaign_state", c.state))),
    h("p", { class: "meta" }, targets),
    h("p", { class: "meta" }, scheduleText(c) || t("campaigns.created", { time: formatTime(c.created_at) })),
    h("dl", { class: "counts" }, ["recipients", "sent", "delivered", "expired", "failed"].map((key) =>
      h("div", { dataset: { count: key } }, h("dt", {}, t(`campaigns.count_${key}`)), h("dd", {}, counts[key])))),
    h("p", { class: "actions" },
      h("button", { type: "button", onclick: actions.preview }, t("campaigns.preview_again")),
      c.state === "draft" ? h("button", { type: "button", class: "primary", onclick: actions.send }, t("campaigns.send_button")) : null,
      ["draft", "scheduled"].includes(c.state) ? h("button", { type: "button", onclick: actions.cancel }, t("campaigns.cancel_button")) : null));
}

// Last: the helpers above must exist before the page starts (top-level await).
await startPage();
const user = await requireRole(STAFF_ROLES);
if (user) await showCampaigns(user);
