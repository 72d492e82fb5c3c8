// Publishing from grove's preview: sends "What changed" with the list the page showed,
// says each step in words while the preview works, and shows the outcome, or which
// colleague changed the same page, with a way to see both versions.
"use strict";

(function () {
  // editor.js, loaded first, sends the request with the preview's key.
  const post = window.groveEditor.post;

  function element(tag, text, attributes) {
    const node = document.createElement(tag);
    if (text) node.textContent = text;
    for (const [name, value] of Object.entries(attributes || {})) node.setAttribute(name, value);
    return node;
  }

  const NOT_ANSWERING = "The preview is not answering: is grove serve still running? Nothing is lost: your changes are saved in this folder.";

  const form = document.getElementById("publish-form");
  if (form) startPublish(form);
  const keep = document.getElementById("keep-mine");
  if (keep) startKeep(keep);

  function startPublish(form) {
    const button = document.getElementById("publish");
    const status = document.getElementById("status");
    const outcome = document.getElementById("outcome");
    const inputs = ["message", "name", "email"].map((id) => document.getElementById(id)).filter(Boolean);
    let busy = false;

    function clearErrors() {
      for (const input of inputs) {
        input.removeAttribute("aria-invalid");
        const error = document.getElementById(input.id + "-error");
        error.hidden = true;
        error.textContent = "";
      }
    }

    function fieldError(input, text) {
      const error = document.getElementById(input.id + "-error");
      error.textContent = text;
      error.hidden = false;
      input.setAttribute("aria-invalid", "true");
    }

    function show(heading, paragraphs, extra) {
      outcome.replaceChildren(element("h2", heading));
      for (const text of paragraphs) outcome.append(element("p", text));
      if (extra) outcome.append(extra);
      outcome.hidden = false;
      outcome.focus();
    }

    function conflictList(conflicts) {
      const list = element("ul", "", { class: "conflicts" });
      for (const c of conflicts) {
        const item = element("li");
        const said = c.message ? " (“" + c.message + "”)" : "";
        item.append(c.who + " changed “" + c.title + "” online " + c.when + said + ". ");
        item.append(element("a", "See both versions of “" + c.title + "”", { href: c.compare }));
        list.append(item);
      }
      return list;
    }

    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (busy || button.disabled) return;
      clearErrors();
      const empty = inputs.filter((input) => !input.value.trim());
      for (const input of empty) {
        fieldError(input, input.id === "message" ? "Write in a few words what changed: it is kept with your change." : "Fill this in: every change in the site's history is signed.");
      }
      if (empty.length) {
        empty[0].focus();
        return;
      }
      const value = (id) => (document.getElementById(id) ? document.getElementById(id).value.trim() : "");
      busy = true;
      button.disabled = true;
      status.textContent = "Checking the site…";
      let done = false;
      const poll = setInterval(async () => {
        try {
          const { data } = await post("/__grove/api/publish/progress", {});
          if (!done && data.step) status.textContent = data.step;
        } catch (_) {
          // The answer to the publish request says what happened.
        }
      }, 400);
      let published = false;
      try {
        const { status: code, data } = await post("/__grove/api/publish", {
          message: value("message"),
          fingerprint: form.dataset.fingerprint,
          name: value("name"),
          email: value("email"),
        });
        done = true;
        status.textContent = "";
        if (code === 200) {
          published = true;
          const links = element("p");
          if (data.build_page) {
            links.append(element("a", "Follow the site's build on GitHub", { href: data.build_page }), " · ");
          }
          links.append(element("a", "Back to the site", { href: (form.dataset.site || "") + "/" }));
          show("Published", [data.message], links);
          form.hidden = true;
          // The list is what went online now; the checks were about before.
          document.getElementById("checks").hidden = true;
          const count = document.getElementById("changes-title");
          count.textContent = "Published: " + count.textContent;
        } else if (code === 409 && data.conflicts) {
          show("Nothing was published", [data.message], conflictList(data.conflicts));
        } else if (data.field && document.getElementById(data.field)) {
          fieldError(document.getElementById(data.field), data.message);
          document.getElementById(data.field).focus();
        } else {
          show("Nothing was published", [data.message || "the preview could not publish"]);
        }
      } catch (_) {
        done = true;
        status.textContent = "";
        show("Nothing was published", [NOT_ANSWERING]);
      } finally {
        clearInterval(poll);
        busy = false;
        button.disabled = published;
      }
    });
  }

  function startKeep(button) {
    const status = document.getElementById("status");
    button.addEventListener("click", async () => {
      button.disabled = true;
      try {
        const { status: code, data } = await post("/__grove/api/publish/keep", {
          file: button.dataset.file,
          online: button.dataset.online,
        });
        if (code === 200) {
          location.assign("/__grove/publish");
          return;
        }
        status.textContent = data.message || "the choice could not be kept";
      } catch (_) {
        status.textContent = NOT_ANSWERING;
      }
      button.disabled = false;
    });
  }
})();
