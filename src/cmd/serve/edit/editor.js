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
      data = { message: "the preview sent an answer the editor cannot read" };
    }
    return { status: response.status, data };
  }

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
    let dirty = false;
    let saving = false;
    let timer = 0;
    let asked = 0;

    function values() {
      const fields = {};
      for (const input of form.querySelectorAll("[data-field]")) {
        fields[input.dataset.field] =
          input.type === "checkbox" ? (input.checked ? "true" : "false") : input.value;
      }
      return { file, version: form.dataset.version, fields, body: body.value };
    }

    function control(field) {
      return field === "body" ? body : form.querySelector('[data-field="' + CSS.escape(field) + '"]');
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
        const input = problem.field ? control(problem.field) : null;
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

    function showPreview(html, problems) {
      // A page of its own, without scripts (the frame is sandboxed): the page's text in
      // readable type; pictures and links resolve against the preview.
      frame.srcdoc =
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><base href="' +
        site +
        '/" target="_blank"><style>body{font:17px/1.6 system-ui,sans-serif;color:#1f2933;margin:1rem;max-width:42rem}img{max-width:100%;height:auto}a{color:#1e3a8a}pre{overflow:auto;background:#f3f4f6;padding:.5rem}table{border-collapse:collapse}td,th{border:1px solid #9ca3af;padding:.25rem .5rem}</style></head><body>' +
        html +
        "</body></html>";
      previewProblems.replaceChildren();
      for (const problem of problems) {
        const p = document.createElement("p");
        p.textContent = problem.message;
        previewProblems.append(p);
      }
    }

    async function preview() {
      const mine = ++asked;
      try {
        const { status: code, data } = await post("/__grove/api/preview", values());
        if (mine !== asked) return;
        if (code === 200) showPreview(data.html || "", data.problems || []);
        else say(previewProblems, data.message || "the preview could not be made");
      } catch (_) {
        say(previewProblems, "The preview is not answering: is grove serve still running?");
      }
    }

    function changed() {
      dirty = true;
      clearTimeout(timer);
      timer = setTimeout(preview, 250);
    }

    async function save(event) {
      if (event) event.preventDefault();
      if (saving) return;
      saving = true;
      saveButton.disabled = true;
      say(status, "Saving…");
      try {
        const { status: code, data } = await post("/__grove/api/save", values());
        if (code === 200) {
          form.dataset.version = data.version;
          dirty = false;
          clearProblems();
          const time = new Date().toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
          status.replaceChildren("Saved at " + time + ". Open tabs of the page reload by themselves. ");
          if (data.url) {
            const link = document.createElement("a");
            link.href = site + data.url;
            link.textContent = "View the page";
            status.append(link);
          }
        } else if (code === 422) {
          showProblems(data.problems || []);
          say(status, "Not saved: fix what is marked, then save again. The file is as it was.");
          summary.focus();
        } else {
          // 409: changed on disk; 403: the key or the origin; 5xx: the disk.
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

    form.addEventListener("input", changed);
    form.addEventListener("change", changed);
    form.addEventListener("submit", save);
    document.addEventListener("keydown", (event) => {
      if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "s") save(event);
    });
    window.addEventListener("beforeunload", (event) => {
      if (dirty) event.preventDefault();
    });
    startUpload(body, changed);
    preview();
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
