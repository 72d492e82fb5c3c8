// Open the FAQ entry named in the address (#slug), e.g. from a link on the home page.
(function () {
  function openTarget() {
    var id = decodeURIComponent(location.hash.slice(1));
    var el = id && document.getElementById(id);
    if (el && el.tagName === "DETAILS") { el.open = true; }
  }
  openTarget();
  addEventListener("hashchange", openTarget);
})();
