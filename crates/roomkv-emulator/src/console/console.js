"use strict";
// The roomkv emulator console: polls the control API once a second and renders it.
(function () {
  const $ = (id) => document.getElementById(id);
  let eventsNext = 0;
  let events = [];

  function cell(row, text, className) {
    const td = document.createElement("td");
    if (className) td.className = className;
    td.textContent = text === undefined || text === null ? "" : String(text);
    row.appendChild(td);
    return td;
  }

  function codeCell(row, value) {
    const td = document.createElement("td");
    const code = document.createElement("code");
    code.textContent = typeof value === "string" ? value : JSON.stringify(value);
    td.appendChild(code);
    row.appendChild(td);
    return td;
  }

  function fill(tableId, rows, render) {
    const body = $(tableId).tBodies[0];
    const fresh = document.createElement("tbody");
    for (const item of rows) {
      const tr = document.createElement("tr");
      render(tr, item);
      fresh.appendChild(tr);
    }
    body.replaceWith(fresh);
  }

  async function getJson(path, options) {
    const response = await fetch(path, Object.assign({ cache: "no-store" }, options));
    const body = await response.json();
    if (!response.ok) throw new Error(body.error || response.statusText);
    return body;
  }

  function renderJournal(page) {
    $("journal-dropped").textContent =
      page.dropped > 0 ? page.dropped + " older requests dropped (journal keeps " + page.capacity + ")" : "";
    const rows = page.entries.slice().reverse();
    fill("journal", rows, (tr, e) => {
      tr.className = e.outcome;
      tr.dataset.seq = e.seq;
      cell(tr, e.seq);
      cell(tr, new Date(e.timeMs).toISOString());
      cell(tr, e.vendor + (e.dialect === "v4" ? " v4" : ""));
      cell(tr, e.endpoint);
      cell(tr, e.status);
      cell(tr, (e.code === null ? (e.status === 0 ? "closed" : "none") : e.code) + (e.fault ? " (fault)" : ""));
      cell(tr, e.buckets.join(", "));
      const td = document.createElement("td");
      if (e.explanation) {
        const p = document.createElement("p");
        p.className = "explanation";
        p.textContent = e.explanation;
        td.appendChild(p);
      }
      const code = document.createElement("code");
      code.textContent = JSON.stringify(e.params);
      td.appendChild(code);
      tr.appendChild(td);
    });
  }

  // One row per item of each record's map (a room's entries, a message's expansions).
  function flatten(records, items) {
    const rows = [];
    for (const record of records) {
      for (const [key, item] of Object.entries(items(record))) rows.push({ record, key, item });
    }
    return rows;
  }

  function renderState(view) {
    const state = view.state;
    fill("kv", flatten(state.chatrooms, (room) => room.room.entries), (tr, r) => {
      for (const text of [r.record.app_key, r.record.chatroom_id, r.key, r.item.value, r.item.owner,
        r.item.auto_delete, r.item.last_set_time]) cell(tr, text);
    });
    fill("kv-service", view.kvService, (tr, s) => {
      cell(tr, s.appKey);
      cell(tr, s.enabled ? "enabled" : "disabled");
    });
    fill("expansions", flatten(state.messages, (m) => m.message.entries), (tr, x) => {
      for (const text of [x.record.app_key, x.record.msg_uid, x.key, x.item.v, x.item.ts]) cell(tr, text);
    });
    fill("rooms", state.rooms, (tr, r) => {
      cell(tr, r.sdkappid);
      cell(tr, r.room_id);
      codeCell(tr, r.room.info);
      codeCell(tr, r.room.metadata.map((kv) => kv[0] + "=" + kv[1]).join("\n"));
    });
  }

  function renderStats(stats) {
    $("throttled").textContent = "Throttled answers: " + stats.throttled +
      (stats.rateLimits ? "" : " (rate limits are off)");
    fill("quotas", stats.quotas, (tr, q) => {
      cell(tr, q.app);
      cell(tr, q.bucket);
      cell(tr, q.used);
      cell(tr, q.limit === null ? "unlimited" : q.limit);
      cell(tr, q.throttled);
    });
  }

  function renderFaults(body) {
    fill("faults", body.rules, (tr, rule) => {
      cell(tr, rule.path);
      cell(tr, rule.times === undefined ? "until cleared" : rule.times);
      cell(tr, rule.probability === undefined ? "" : rule.probability);
      codeCell(tr, rule.effect);
    });
  }

  function renderEvents(page) {
    if (page.next < eventsNext) events = [];
    events = events.concat(page.events).slice(-500);
    eventsNext = page.next;
    $("events-dropped").textContent = page.dropped > 0 ? page.dropped + " older events dropped" : "";
    fill("events", events.slice().reverse(), (tr, e) => {
      cell(tr, e.seq);
      cell(tr, e.type);
      cell(tr, e.appKey || e.sdkappid || e.vendor || "");
      codeCell(tr, e.body || e);
    });
  }

  async function refresh() {
    const query = new URLSearchParams();
    if ($("filter-vendor").value) query.set("vendor", $("filter-vendor").value);
    if ($("filter-outcome").value) query.set("outcome", $("filter-outcome").value);
    try {
      const [journal, state, stats, faults, page] = await Promise.all([
        getJson("/_emulator/requests?" + query),
        getJson("/_emulator/state"),
        getJson("/_emulator/stats"),
        getJson("/_emulator/faults"),
        getJson("/_emulator/events?since=" + (eventsNext > 0 ? eventsNext : 0)),
      ]);
      if (stats.events.next < eventsNext) {
        eventsNext = 0;
        events = [];
      }
      renderJournal(journal);
      renderState(state);
      renderStats(stats);
      renderFaults(faults);
      renderEvents(page);
      $("status").textContent = "live, updated " + new Date().toLocaleTimeString();
    } catch (error) {
      $("status").textContent = "emulator unreachable: " + error.message;
    }
  }

  let timer = null;
  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      await refresh();
      schedule();
    }, 1000);
  }

  async function now() {
    await refresh();
    schedule();
  }

  $("reset").addEventListener("click", async () => {
    await getJson("/_emulator/reset", { method: "POST" });
    eventsNext = 0;
    events = [];
    await now();
  });

  $("fault-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const kind = $("fault-kind").value;
    const value = Number($("fault-value").value);
    const rule = {
      path: $("fault-path").value,
      effect: kind === "status" ? { kind: "status", status: value } : { kind: "vendor_error", code: value },
    };
    if ($("fault-times").value !== "") rule.times = Number($("fault-times").value);
    try {
      await getJson("/_emulator/faults", { method: "POST", body: JSON.stringify(rule) });
      $("fault-error").textContent = "";
    } catch (error) {
      $("fault-error").textContent = "fault rule refused: " + error.message;
    }
    await now();
  });

  $("fault-clear").addEventListener("click", async () => {
    await getJson("/_emulator/faults", { method: "DELETE" });
    await now();
  });

  $("filter-vendor").addEventListener("change", now);
  $("filter-outcome").addEventListener("change", now);
  now();
})();
