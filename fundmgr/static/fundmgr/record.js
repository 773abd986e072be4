// The income form: the listed price fills the amount, and its 大写 is shown as you type.
// Texts and the capital-numerals URL come from the page's data (json_script, data-*).
(function () {
  const me = document.currentScript;
  const packages = Object.fromEntries(JSON.parse(document.getElementById("package-prices").textContent).map(p => [String(p.id), p]));
  const pkg = document.getElementById("id_package"), tier = document.getElementById("id_tier");
  const qty = document.getElementById("id_quantity"), amount = document.getElementById("id_amount_0");
  const hint = document.getElementById("tier-price"), cap = document.getElementById("amount-capital");
  const priceHint = me.dataset.priceHint, noTier = me.dataset.noTier;
  const inCapitals = me.dataset.inCapitals, capitalUrl = me.dataset.capitalUrl;
  let touched = amount.value !== "";
  amount.addEventListener("input", () => { touched = true; });
  function update() {
    const p = packages[pkg.value];
    if (!p) { hint.textContent = ""; return; }
    for (const option of tier.options) { option.disabled = !(option.value in p.prices); }
    if (!(tier.value in p.prices)) { tier.value = Object.keys(p.prices)[0]; }
    const price = p.prices[tier.value];
    if (price === undefined) { hint.textContent = noTier; return; }
    hint.textContent = priceHint + " ¥" + price + (tier.value === "low_cost" && p.eligibility ? " · " + p.eligibility : "");
    if (!touched) {
      const n = parseInt(qty.value || "1", 10) || 1;
      // Integer fen arithmetic: no floating point touches the amount.
      const [y, f = ""] = price.split(".");
      const fen = (BigInt(y) * 100n + BigInt((f + "00").slice(0, 2))) * BigInt(n);
      amount.value = (fen / 100n).toString() + "." + (fen % 100n).toString().padStart(2, "0");
      showCapital();
    }
  }
  let timer;
  function showCapital() {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      if (!amount.value) { cap.textContent = ""; return; }
      const r = await fetch(capitalUrl + "?amount=" + encodeURIComponent(amount.value));
      if (r.ok) { const d = await r.json(); cap.textContent = d.capital ? inCapitals + " " + d.capital : ""; }
    }, 200);
  }
  pkg.addEventListener("change", update); tier.addEventListener("change", update);
  qty.addEventListener("input", update); amount.addEventListener("input", showCapital);
  update(); showCapital();
})();
