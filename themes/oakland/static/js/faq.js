// Opens the FAQ entry named in the address (/faq/#slug), e.g. from a link on the home page.
(function () {
  function openTarget() {
    var id;
    try { id = decodeURIComponent(location.hash.slice(1)); } catch (e) { return; }
    var el = id && document.getElementById(id);
    if (el && el.tagName === "DETAILS") { el.open = true; }
  }
  openTarget();
  addEventListener("hashchange", openTarget);
})();
