// The editor of grove's preview: sends the form to the preview as JSON with the key the
// page carries, shows the text as the site will, and puts each problem by its field.
"use strict";

(function () {
  const secretTag = document.querySelector('meta[name="grove-secret"]');
  const secret = secretTag ? secretTag.content : "";

  async function post(path, body, type) {
    const response = await fetch(path, {
      method: "POST",
      headers: { "Content-Type": type || "application/json", "X-Grove-Secret": secret },
      body: type ? body : JSON.stringify(body),
      credentials: "same-origin",
      cache: "no-store",
    });
    let data = {};
    try {
      data = await response.json();
    } catch (_) {
      data = {
        message:
          "grove answered something the editor did not expect (" + response.status + "). Nothing is lost: try again, and if it happens again, stop grove serve and start it again",
      };
    }
    return { status: response.status, data };
  }

  // The publish page's script sends its requests the same way.
  window.groveEditor = { post };

  function say(element, text) {
    if (element) element.textContent = text;
  }

  const editor = document.getElementById("editor");
  if (editor) startEditor(editor);
  const newForm = document.getElementById("new-form");
  if (newForm) startNew(newForm);

  function startEditor(form) {
    const file = form.dataset.file;
    // The site's own address: another origin than the editor's.
    const site = form.dataset.site || "";
    const body = document.getElementById("body");
    const frame = document.getElementById("preview");
    const previewProblems = document.getElementById("preview-problems");
    const status = document.getElementById("status");
    const summary = document.getElementById("summary");
    const saveButton = document.getElementById("save");
    const backupKey = "grove-backup:" + file;
    // Date fields the person emptied on purpose (an unreadable date is not "no date").
    const cleared = new Set();
    let saved = "";
    let saving = false;
    let timer = 0;
    let backupTimer = 0;
    let asked = 0;

    function values() {
      const fields = {};
      for (const input of form.querySelectorAll("[data-field]")) {
        fields[input.dataset.field] =
          input.type === "checkbox" ? (input.checked ? "true" : "false") : input.value;
      }
      return { file, version: form.dataset.version, fields, body: body.value, cleared: [...cleared] };
    }

    // What the file holds, as the form shows it: compared with the form to tell the truth.
    function state() {
      const v = values();
      return JSON.stringify([v.fields, v.body]);
    }
    function dirty() {
      return state() !== saved;
    }

    function showStatus() {
      const changed = dirty();
      status.classList.toggle("unsaved", changed);
      if (changed) status.textContent = "Unsaved changes";
      else if (!status.dataset.saved) status.textContent = "All changes saved";
    }

    function time(at) {
      return new Date(at).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
    }

    function control(field) {
      return field === "body" ? body : form.querySelector('[data-field="' + CSS.escape(field) + '"]');
    }
    // Where a field's error goes and what gets focus: the visible box of a list.
    function visible(input) {
      if (!input || input.type !== "hidden") return input;
      return form.querySelector('[data-list="' + CSS.escape(input.dataset.field) + '"]') || input;
    }

    function clearProblems() {
      for (const error of form.querySelectorAll(".error")) {
        error.hidden = true;
        error.textContent = "";
      }
      for (const input of form.querySelectorAll('[aria-invalid="true"]')) {
        input.removeAttribute("aria-invalid");
      }
      summary.hidden = true;
      summary.replaceChildren();
    }

    // Each problem goes under its field (the same words the build prints), and all of
    // them into the summary at the top, with links to the fields.
    function showProblems(problems) {
      clearProblems();
      if (!problems.length) return;
      const heading = document.createElement("h2");
      heading.textContent =
        problems.length === 1 ? "One thing to fix before saving" : problems.length + " things to fix before saving";
      const list = document.createElement("ul");
      for (const problem of problems) {
        const item = document.createElement("li");
        const input = visible(problem.field ? control(problem.field) : null);
        if (input) {
          const folded = input.closest("details");
          if (folded) folded.open = true;
          const error = document.getElementById(input.id + "-error");
          if (error) {
            error.textContent = problem.message;
            error.hidden = false;
          }
          input.setAttribute("aria-invalid", "true");
          const link = document.createElement("a");
          link.href = "#" + input.id;
          link.textContent = problem.message;
          item.append(link);
        } else {
          item.textContent = problem.message;
        }
        list.append(item);
      }
      summary.append(heading, list);
      summary.hidden = false;
    }

    // What the browser knows is wrong before anything is sent: a date it cannot read
    // (31 February), a number with letters. The server checks the same again.
    function browserProblems() {
      const problems = [];
      for (const input of form.querySelectorAll("[data-field]")) {
        const label = (form.querySelector('label[for="' + CSS.escape(input.id) + '"]') || {}).textContent || "";
        const name = label.replace(/\s*\(required\)\s*$/, "");
        if (input.type === "date" && input.validity.badInput) {
          problems.push({ field: input.dataset.field, message: name + " is not a date the calendar has: check the day and the month" });
        } else if (input.inputMode === "numeric" && input.value.trim() && !/^-?\d+$/.test(input.value.trim())) {
          problems.push({ field: input.dataset.field, message: name + " must be a whole number, e.g. 10" });
        } else if (input.closest(".field") && input.closest(".field").querySelector("[data-upload]") && input.value.trim() &&
          !/^(\/(?!\/)|https?:\/\/)\S*$/.test(input.value.trim())) {
          problems.push({ field: input.dataset.field, message: name + " must be the address of a picture, e.g. /images/room.jpg" });
        }
      }
      return problems;
    }

    // The page as the site will show it, made by the site's own templates from the form
    // (not saved): a document of its own in a sandboxed frame, where no script runs; its
    // stylesheets and pictures come from the site's address. With problems, the frame
    // keeps the last page that could be made, and the problems are listed under it.
    let shownHtml = null;
    function frameMessage(text) {
      return '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Preview</title><style>body{font:17px/1.6 system-ui,sans-serif;color:#1f2933;margin:1rem}</style></head><body><p>' +
        text + "</p></body></html>";
    }
    function showPreview(html, problems) {
      if (html && html !== shownHtml) {
        frame.srcdoc = html;
        shownHtml = html;
      } else if (!html && shownHtml === null) {
        shownHtml = "";
        frame.srcdoc = frameMessage("The page is shown here once the problems listed under it are fixed.");
      }
      previewProblems.replaceChildren();
      if (!problems.length) return;
      const intro = document.createElement("p");
      intro.textContent = shownHtml
        ? "The preview shows the page as it was before these problems; fix them to see it again:"
        : "Fix these to see the page:";
      const list = document.createElement("ul");
      for (const problem of problems) {
        const item = document.createElement("li");
        const input = visible(problem.field ? control(problem.field) : null);
        if (input) {
          const link = document.createElement("a");
          link.href = "#" + input.id;
          link.textContent = problem.message;
          item.append(link);
        } else {
          item.textContent = problem.message;
        }
        list.append(item);
      }
      previewProblems.append(intro, list);
    }

    async function preview() {
      const mine = ++asked;
      try {
        const { status: code, data } = await post("/__grove/api/preview", values());
        if (mine !== asked) return;
        if (code === 200) showPreview(data.html || null, data.problems || []);
        else say(previewProblems, data.message || "the preview could not be made");
      } catch (_) {
        say(previewProblems, "The preview is not answering: is grove serve still running?");
      }
    }

    // The form is kept in this browser as the person types, per file: a closed tab, a
    // crash or a restart loses nothing.
    function backup() {
      clearTimeout(backupTimer);
      backupTimer = setTimeout(() => {
        try {
          if (dirty()) {
            const v = values();
            localStorage.setItem(backupKey, JSON.stringify({ at: Date.now(), version: v.version, fields: v.fields, body: v.body }));
          } else {
            localStorage.removeItem(backupKey);
          }
        } catch (_) {
          /* storage full or off: the form itself still holds the text */
        }
      }, 300);
    }

    function changed() {
      status.dataset.saved = "";
      showStatus();
      backup();
      clearTimeout(timer);
      timer = setTimeout(preview, 250);
    }

    function fill(fields, text) {
      for (const input of form.querySelectorAll("[data-field]")) {
        const value = fields[input.dataset.field];
        if (value === undefined) continue;
        if (input.type === "checkbox") input.checked = value === "true";
        else input.value = value;
        if (input.type === "hidden") renderChips(input);
      }
      body.value = text;
    }

    function offerRestore() {
      let kept;
      try {
        kept = JSON.parse(localStorage.getItem(backupKey) || "null");
      } catch (_) {
        kept = null;
      }
      if (!kept || JSON.stringify([kept.fields, kept.body]) === saved) return;
      const box = document.getElementById("restore");
      const p = document.createElement("p");
      p.textContent =
        "You typed changes to this page at " + time(kept.at) + " that were not saved." +
        (kept.version !== form.dataset.version ? " The file has changed since: after restoring, Save shows both versions." : "");
      const restore = document.createElement("button");
      restore.type = "button";
      restore.textContent = "Restore what you typed at " + time(kept.at);
      const discard = document.createElement("button");
      discard.type = "button";
      discard.className = "danger";
      discard.textContent = "Discard it";
      const row = document.createElement("div");
      row.className = "choices";
      row.append(restore, discard);
      box.replaceChildren(p, row);
      box.hidden = false;
      restore.addEventListener("click", () => {
        fill(kept.fields, kept.body);
        // Saved against the version it was typed on: a newer file is never overwritten.
        form.dataset.version = kept.version;
        box.hidden = true;
        changed();
        body.focus();
      });
      discard.addEventListener("click", () => {
        localStorage.removeItem(backupKey);
        box.hidden = true;
      });
    }

    // The two versions side by side, lines that differ marked.
    function text(v) {
      const lines = [];
      for (const input of form.querySelectorAll("[data-field]")) {
        const key = input.dataset.field;
        const raw = v.fields[key] || "";
        // An unticked box and a missing key mean the same: neither is shown.
        const value = (input.type === "checkbox" && raw === "false" ? "" : raw).replace(/\n/g, ", ");
        const label = (form.querySelector('label[for="' + CSS.escape(visible(input).id) + '"]') || {}).textContent || key;
        if (value) lines.push(label.replace(/\s*\(required\)\s*$/, "") + ": " + value);
      }
      return lines.join("\n") + "\n\n" + v.body;
    }
    function showVersions(element, mine, other) {
      const others = new Set(other.split("\n"));
      element.replaceChildren();
      for (const line of mine.split("\n")) {
        const span = document.createElement("span");
        span.textContent = line + "\n";
        if (!others.has(line)) span.className = "differs";
        element.append(span);
      }
    }
    function showConflict(theirs, what) {
      const conflict = document.getElementById("conflict");
      say(document.getElementById("conflict-what"), what);
      const mineText = text(values());
      const theirText = text(theirs);
      showVersions(document.getElementById("conflict-theirs"), theirText, mineText);
      showVersions(document.getElementById("conflict-mine"), mineText, theirText);
      conflict.hidden = false;
      conflict.focus();
      const done = () => {
        conflict.hidden = true;
        document.getElementById("elsewhere").hidden = true;
      };
      document.getElementById("take-theirs").onclick = () => {
        fill(theirs.fields, theirs.body);
        form.dataset.version = theirs.version;
        saved = state();
        cleared.clear();
        done();
        changed();
        say(status, "The form now shows their version; nothing of yours was saved.");
      };
      document.getElementById("keep-mine").onclick = () => {
        form.dataset.version = theirs.version;
        done();
        save();
      };
      document.getElementById("merge").onclick = () => {
        // Their version stays on screen to copy from; Save then replaces it.
        form.dataset.version = theirs.version;
        document.getElementById("keep-mine").hidden = true;
        document.getElementById("take-theirs").hidden = true;
        say(status, "Merge by hand: change the form until it holds both, then Save.");
        body.focus();
      };
    }

    // A version from the page's history fills the form, not saved; a colleague's version
    // online is shown beside the file, to choose against (see publish.rs).
    function openEarlier() {
      const element = document.getElementById("earlier");
      if (!element) return;
      const earlier = JSON.parse(element.textContent);
      if (!earlier.online) {
        fill(earlier.values.fields, earlier.values.body);
        changed();
        return;
      }
      const [theirs, mine] = document.querySelectorAll("#conflict h3");
      theirs.textContent = "Theirs: the version online";
      mine.textContent = "Yours: saved here, not online";
      showConflict(Object.assign({}, earlier.values, { version: form.dataset.version }), earlier.words);
    }

    // Saved after choosing against a colleague's version: publishing sends this version.
    async function publishChosen() {
      const chosen = { file: "content/" + file, online: form.dataset.online };
      try {
        await post("/__grove/api/publish/keep", chosen);
        const link = document.createElement("a");
        link.href = "/__grove/publish";
        link.textContent = "Publish it";
        status.append(" ", link);
      } catch (_) {
        // Publishing then asks again: nothing is lost.
      }
    }

    async function save(event) {
      if (event) event.preventDefault();
      if (saving) return;
      for (const box of form.querySelectorAll("[data-list]")) commitList(box);
      const problems = browserProblems();
      if (problems.length) {
        showProblems(problems);
        say(status, "Not saved: fix what is marked, then save again. The file is as it was.");
        summary.focus();
        return;
      }
      saving = true;
      saveButton.disabled = true;
      say(status, "Saving…");
      try {
        const { status: code, data } = await post("/__grove/api/save", values());
        if (code === 200) {
          form.dataset.version = data.version;
          saved = state();
          cleared.clear();
          clearProblems();
          localStorage.removeItem(backupKey);
          document.getElementById("conflict").hidden = true;
          status.dataset.saved = "yes";
          status.classList.remove("unsaved");
          status.replaceChildren("All changes saved at " + time(Date.now()) + ". Open tabs of the page reload by themselves. ");
          if (data.url) {
            const link = document.createElement("a");
            link.href = site + data.url;
            link.textContent = "View the page";
            status.append(link);
          }
          if (form.dataset.online) publishChosen();
        } else if (code === 422) {
          showProblems(data.problems || []);
          say(status, "Not saved: fix what is marked, then save again. The file is as it was.");
          summary.focus();
        } else if (code === 409 && data.theirs && data.theirs.version) {
          clearProblems();
          say(status, "Not saved: the page was changed elsewhere. Your text is still here.");
          showConflict(data.theirs, data.message);
        } else {
          // 403: the key or the origin; 5xx: the disk.
          showProblems([{ field: null, message: data.message || "the file could not be saved" }]);
          say(status, "Not saved. Your text is still here.");
          summary.focus();
        }
      } catch (_) {
        showProblems([
          { field: null, message: "The preview is not answering: is grove serve still running? Your text is still here." },
        ]);
        say(status, "Not saved.");
        summary.focus();
      } finally {
        saving = false;
        saveButton.disabled = false;
      }
    }

    // The live-reload socket of the editor's own address says when the site changed:
    // if this file is one of the changes, the person learns it before pressing Save.
    function watchElsewhere() {
      let socket;
      const connect = () => {
        socket = new WebSocket("ws://" + location.host + "/__grove/live");
        socket.onmessage = () => checkElsewhere();
        socket.onclose = () => setTimeout(connect, 1000);
      };
      connect();
    }
    async function checkElsewhere() {
      if (saving) return;
      try {
        const { status: code, data } = await post("/__grove/api/current", { file });
        if (code !== 200 || !data.version || data.version === form.dataset.version || saving) return;
        const box = document.getElementById("elsewhere");
        const p = document.createElement("p");
        p.textContent =
          "This page was changed elsewhere at " + time(Date.now()) +
          " (in another tab, another program, or by a colleague). Your text here is kept.";
        const compare = document.createElement("button");
        compare.type = "button";
        compare.textContent = "Compare the two versions";
        compare.addEventListener("click", () => showConflict(data, "The file as it is now, beside what this form holds."));
        box.replaceChildren(p, compare);
        box.hidden = false;
        if (!dirty()) {
          // Nothing typed here: take theirs, and say so.
          fill(data.fields, data.body);
          form.dataset.version = data.version;
          saved = state();
          showStatus();
          p.textContent += " The form now shows the new version.";
          compare.remove();
        }
      } catch (_) {
        /* the preview is restarting: the next message asks again */
      }
    }

    // Lists (topics, languages): typed items become chips; the hidden field holds one
    // per line. Whatever a person types (commas, the help's ["a", "b"], quotes) is split.
    function items(text) {
      const out = [];
      for (const part of text.split(/[\n,]/)) {
        const item = part.trim().replace(/^[\s\[\]"'“”‘’]+|[\s\[\]"'“”‘’]+$/g, "").trim();
        if (item && !out.includes(item)) out.push(item);
      }
      return out;
    }
    function hiddenOf(box) {
      return form.querySelector('[data-field="' + CSS.escape(box.dataset.list) + '"]');
    }
    function renderChips(hidden) {
      const box = form.querySelector('[data-list="' + CSS.escape(hidden.dataset.field) + '"]');
      const chips = document.getElementById(box.id + "-chips");
      chips.replaceChildren();
      for (const item of items(hidden.value)) {
        const li = document.createElement("li");
        const span = document.createElement("span");
        span.textContent = item;
        const remove = document.createElement("button");
        remove.type = "button";
        remove.textContent = "×";
        remove.setAttribute("aria-label", "Remove " + item);
        remove.addEventListener("click", () => {
          hidden.value = items(hidden.value).filter((i) => i !== item).join("\n");
          renderChips(hidden);
          changed();
          box.focus();
        });
        li.append(span, remove);
        chips.append(li);
      }
    }
    function commitList(box) {
      const typed = items(box.value);
      if (!typed.length) return;
      const hidden = hiddenOf(box);
      const all = items(hidden.value);
      for (const item of typed) if (!all.includes(item)) all.push(item);
      hidden.value = all.join("\n");
      box.value = "";
      renderChips(hidden);
      changed();
    }
    for (const box of form.querySelectorAll("[data-list]")) {
      renderChips(hiddenOf(box));
      box.addEventListener("keydown", (event) => {
        if (event.key === "Enter") {
          event.preventDefault();
          commitList(box);
        } else if (event.key === "Backspace" && !box.value) {
          const hidden = hiddenOf(box);
          hidden.value = items(hidden.value).slice(0, -1).join("\n");
          renderChips(hidden);
          changed();
        }
      });
      box.addEventListener("input", () => {
        // A comma ends an item, unless it is inside the brackets of a pasted list.
        if (/,\s*$/.test(box.value) && !/\[[^\]]*$/.test(box.value)) commitList(box);
        else if (/\]\s*$/.test(box.value) || box.value.includes("\n")) commitList(box);
      });
      box.addEventListener("change", () => commitList(box));
    }

    for (const input of form.querySelectorAll('input[type="date"][data-field]')) {
      input.addEventListener("input", () => {
        if (input.value === "" && !input.validity.badInput) cleared.add(input.dataset.field);
        else cleared.delete(input.dataset.field);
      });
    }

    const toggle = document.getElementById("preview-toggle");
    toggle.addEventListener("click", () => {
      const on = toggle.getAttribute("aria-pressed") !== "true";
      toggle.setAttribute("aria-pressed", String(on));
      form.classList.toggle("previewing", on);
      if (on) preview();
    });

    startPictures(form, site, changed);
    startDelete(form, file, () => {
      saved = state();
      localStorage.removeItem(backupKey);
    });

    form.addEventListener("input", (event) => {
      if (!event.target.dataset.list) changed();
    });
    form.addEventListener("change", (event) => {
      if (!event.target.dataset.list) changed();
    });
    form.addEventListener("submit", save);
    document.addEventListener("keydown", (event) => {
      if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "s") save(event);
    });
    window.addEventListener("beforeunload", (event) => {
      if (dirty()) event.preventDefault();
    });
    startUpload(body, changed);
    saved = state();
    showStatus();
    offerRestore();
    openEarlier();
    watchElsewhere();
    preview();
  }

  // "Choose a photo" beside a picture field: the picture is uploaded (team photos into
  // static/images/team/) and its address put into the field.
  function startPictures(form, site, changed) {
    for (const picker of form.querySelectorAll("[data-upload]")) {
      const key = picker.dataset.upload;
      const field = form.querySelector('[data-field="' + CSS.escape(key) + '"]');
      const img = document.getElementById(field.id + "-img");
      const status = document.getElementById(field.id + "-status");
      const crop = key === "photo" ? startFocus(form, img, site) : () => {};
      // A picture just uploaded is served once the preview's watcher has seen it, a moment
      // later: ask again a few times rather than show a broken picture.
      let tries = 0;
      img.addEventListener("load", () => (tries = 0));
      img.addEventListener("error", () => {
        if (!field.value || tries >= 10) return;
        tries += 1;
        setTimeout(() => (img.src = site + field.value + "?try=" + tries), 200 * tries);
      });
      field.addEventListener("change", () => {
        img.src = field.value ? site + field.value : "";
        img.hidden = !field.value;
        crop();
      });
      picker.addEventListener("change", async () => {
        const file = picker.files && picker.files[0];
        if (!file) return;
        const limit = 10 * 1024 * 1024;
        if (file.size > limit) {
          say(status, "This photo is " + (file.size / 1048576).toFixed(1) + " MB; the largest accepted is 10 MB. Make it smaller (a width of 3,000 pixels is plenty) and choose it again.");
          picker.value = "";
          return;
        }
        const name = form.querySelector('[data-field="name"], [data-field="title"]');
        const alt = key === "photo" ? "Photo of " + ((name && name.value) || "a team member") : (name && name.value) || "Picture";
        say(status, "Uploading…");
        try {
          const folder = key === "photo" ? "&folder=team" : "";
          const query = "?name=" + encodeURIComponent(file.name) + "&alt=" + encodeURIComponent(alt) + folder;
          const { status: code, data } = await post("/__grove/api/upload" + query, file, file.type || "application/octet-stream");
          if (code === 201) {
            field.value = data.url;
            img.src = site + data.url;
            img.hidden = false;
            crop();
            say(status, "Chosen: " + data.url + ". Save to keep it.");
            changed();
          } else {
            say(status, "Not uploaded: " + (data.message || "the picture was refused"));
          }
        } catch (_) {
          say(status, "The preview is not answering: is grove serve still running?");
        } finally {
          picker.value = "";
        }
      });
    }
  }

  // The team photo as the site cuts it: the round picture shows the square grove makes,
  // cut around the "Photo focal point" as the build cuts it (centred on the point
  // as far as the edges allow). Clicking the face in the whole photo sets that point; it
  // can be typed in its own field too. Returns what to call when the photo changes.
  function startFocus(form, avatar, site) {
    const focus = form.querySelector('[data-field="photo_focus"]');
    if (!focus) return () => {};
    const whole = document.createElement("figure");
    whole.className = "focus-pick";
    const photo = document.createElement("img");
    photo.alt = "";
    const mark = document.createElement("span");
    mark.className = "focus-mark";
    mark.setAttribute("aria-hidden", "true");
    const caption = document.createElement("figcaption");
    caption.textContent = "Click the face: the round picture keeps it in view.";
    const frame = document.createElement("div");
    frame.className = "focus-frame";
    frame.append(photo, mark);
    whole.append(frame, caption);
    avatar.closest(".picture").append(whole);

    const point = () => {
      const m = /^\s*([01](?:\.\d+)?|\.\d+)\s*,\s*([01](?:\.\d+)?|\.\d+)\s*$/.exec(focus.value);
      const x = m ? Number(m[1]) : 0.5;
      const y = m ? Number(m[2]) : 0.5;
      return [Math.min(1, x), Math.min(1, y)];
    };
    // Where the square box of a w x h picture starts, as a share of the room it can move in.
    const position = (at, long, short) => {
      if (long <= short) return 0.5;
      const start = Math.min(Math.max(at * long - short / 2, 0), long - short);
      return start / (long - short);
    };
    const draw = () => {
      const [x, y] = point();
      const w = avatar.naturalWidth;
      const h = avatar.naturalHeight;
      if (w && h) {
        const side = Math.min(w, h);
        avatar.style.objectPosition = position(x, w, side) * 100 + "% " + position(y, h, side) * 100 + "%";
      }
      mark.style.left = x * 100 + "%";
      mark.style.top = y * 100 + "%";
    };
    const show = () => {
      whole.hidden = avatar.hidden || !avatar.getAttribute("src");
      draw();
    };
    photo.addEventListener("click", (event) => {
      const box = photo.getBoundingClientRect();
      const x = Math.min(1, Math.max(0, (event.clientX - box.left) / box.width));
      const y = Math.min(1, Math.max(0, (event.clientY - box.top) / box.height));
      focus.value = x.toFixed(2) + "," + y.toFixed(2);
      focus.dispatchEvent(new Event("input", { bubbles: true }));
    });
    focus.addEventListener("input", draw);
    avatar.addEventListener("load", () => {
      if (photo.src !== avatar.currentSrc) photo.src = avatar.currentSrc;
      show();
    });
    if (avatar.complete && avatar.naturalWidth) photo.src = avatar.currentSrc;
    show();
    return show;
  }

  // "Delete this page": asks first, naming the page and the pages that link to it, moves
  // the file to the site's trash, and offers Undo.
  function startDelete(form, file, forget) {
    const button = document.getElementById("delete");
    const dialog = document.getElementById("delete-dialog");
    if (!button || !dialog) return;
    const links = document.getElementById("delete-links");
    button.addEventListener("click", async () => {
      links.replaceChildren();
      try {
        const { data } = await post("/__grove/api/links", { file });
        const pages = data.pages || [];
        if (pages.length) {
          const p = document.createElement("p");
          p.textContent =
            pages.length === 1 ? "One page links to it; that link will be broken:" : pages.length + " pages link to it; those links will be broken:";
          const list = document.createElement("ul");
          for (const page of pages) {
            const li = document.createElement("li");
            const a = document.createElement("a");
            a.href = page.edit;
            a.textContent = page.title;
            li.append(a);
            list.append(li);
          }
          links.append(p, list);
        }
      } catch (_) {
        /* the list is a help, not a condition */
      }
      dialog.showModal();
      document.getElementById("delete-cancel").focus();
    });
    document.getElementById("delete-cancel").addEventListener("click", () => dialog.close());
    document.getElementById("delete-confirm").addEventListener("click", async () => {
      const { status: code, data } = await post("/__grove/api/delete", { file, version: form.dataset.version });
      dialog.close();
      const status = document.getElementById("status");
      if (code !== 200) {
        say(status, "Not deleted: " + (data.message || "the page could not be deleted"));
        return;
      }
      forget();
      const title = document.querySelector("h1").textContent.replace(/^Edit /, "");
      const main = document.getElementById("main");
      const h1 = document.createElement("h1");
      h1.textContent = "Deleted " + title;
      const p = document.createElement("p");
      p.setAttribute("role", "status");
      p.textContent = "The page is in the site's trash. It leaves the site online at the next publish.";
      const undo = document.createElement("button");
      undo.type = "button";
      undo.textContent = "Undo: put it back";
      undo.addEventListener("click", async () => {
        const { status: back, data: restored } = await post("/__grove/api/restore", { token: data.token });
        if (back === 200) location.assign(restored.edit);
        else say(p, "Not put back: " + (restored.message || "the page could not be restored"));
      });
      main.replaceChildren(h1, p, undo);
      undo.focus();
    });
  }

  function startUpload(body, changed) {
    const picker = document.getElementById("image-file");
    const alt = document.getElementById("image-alt");
    const button = document.getElementById("image-insert");
    const status = document.getElementById("image-status");
    if (!picker || !button) return;
    button.addEventListener("click", async () => {
      const file = picker.files && picker.files[0];
      if (!file) {
        say(status, "Choose a picture first.");
        picker.focus();
        return;
      }
      if (!alt.value.trim()) {
        say(status, "Say in words what the picture shows: people who cannot see it read or hear this instead.");
        alt.setAttribute("aria-invalid", "true");
        alt.focus();
        return;
      }
      alt.removeAttribute("aria-invalid");
      button.disabled = true;
      say(status, "Uploading…");
      try {
        const query = "?name=" + encodeURIComponent(file.name) + "&alt=" + encodeURIComponent(alt.value.trim());
        const { status: code, data } = await post("/__grove/api/upload" + query, file, file.type || "application/octet-stream");
        if (code === 201) {
          const at = body.selectionStart ?? body.value.length;
          const before = body.value.slice(0, at);
          const gap = before === "" || before.endsWith("\n\n") ? "" : before.endsWith("\n") ? "\n" : "\n\n";
          body.value = before + gap + data.markdown + "\n\n" + body.value.slice(at);
          say(status, "Added " + data.url + " to the text. Save to keep it.");
          picker.value = "";
          alt.value = "";
          changed();
        } else {
          say(status, "Not uploaded: " + (data.message || "the picture was refused"));
        }
      } catch (_) {
        say(status, "The preview is not answering: is grove serve still running?");
      } finally {
        button.disabled = false;
      }
    });
  }

  function startNew(form) {
    const title = document.getElementById("new-title");
    const error = document.getElementById("new-title-error");
    const status = document.getElementById("status");
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      error.hidden = true;
      title.removeAttribute("aria-invalid");
      if (!title.value.trim()) {
        error.textContent = "Write a title first.";
        error.hidden = false;
        title.setAttribute("aria-invalid", "true");
        title.focus();
        return;
      }
      const kind = form.querySelector('input[name="kind"]:checked').value;
      say(status, "Creating…");
      try {
        const { status: code, data } = await post("/__grove/api/new", { kind, title: title.value.trim() });
        if (code === 201) {
          location.assign(data.edit);
          return;
        }
        error.textContent = data.message || "the file could not be made";
        if (data.existing) {
          const link = document.createElement("a");
          link.href = data.existing;
          link.textContent = "Open it";
          error.append(" ", link);
        }
        error.hidden = false;
        title.setAttribute("aria-invalid", "true");
        say(status, "");
        title.focus();
      } catch (_) {
        say(status, "The preview is not answering: is grove serve still running?");
      }
    });
  }
})();
