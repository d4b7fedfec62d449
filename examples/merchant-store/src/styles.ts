// The shop's stylesheet, served at /shop.css. Warm coffee-house colours for the shop, OVO purple only on
// what belongs to OVO (the panel and its buttons), so a customer sees whose step is whose.
export const SHOP_CSS = `
:root {
  --bg: #f7f2ea; --card: #fff; --ink: #2b211b; --muted: #76685d; --line: #e6dccf;
  --brand: #6f3f1d; --brand-ink: #fff; --ovo: #4c2a86; --ovo-soft: #f1ecfa;
  --ok: #1c7a46; --ok-soft: #e5f5ec; --bad: #b42318; --bad-soft: #fdecea; --info: #1d4f91; --info-soft: #e8f0fb;
  --warn: #b7791f; --radius: 14px;
}
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: var(--bg); }
a { color: var(--brand); }
h1, h2, h3 { line-height: 1.2; margin: 0 0 .6rem; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.2rem; } h3 { font-size: 1.05rem; }
code { font-size: .9em; }
small { font-size: .85em; }
.muted { color: var(--muted); }

.topbar { display: flex; align-items: center; justify-content: space-between; gap: 1rem; padding: .8rem clamp(1rem, 4vw, 2rem);
  background: var(--brand); color: var(--brand-ink); }
.brand { color: inherit; text-decoration: none; font-weight: 700; font-size: 1.15rem; display: flex; align-items: center; gap: .5rem; }
.brand__mark { background: rgba(255,255,255,.15); border-radius: 50%; width: 2rem; height: 2rem; display: grid; place-items: center; }
.who { display: flex; align-items: center; gap: .8rem; }
.who__name { display: flex; flex-direction: column; text-align: right; line-height: 1.2; font-weight: 600; }
.who__name small { font-weight: 400; opacity: .8; }
.who form { margin: 0; }
.link-button { white-space: nowrap; background: none; border: 1px solid rgba(255,255,255,.5); color: inherit; border-radius: 999px; padding: .3rem .8rem; font: inherit; cursor: pointer; }

.page { max-width: 1040px; margin: 0 auto; padding: 1.5rem clamp(1rem, 4vw, 2rem) 2rem; }
.footer { text-align: center; color: var(--muted); font-size: .85rem; padding: 1rem 1rem 2rem; }
.hero { text-align: center; padding: 1.5rem 0 1rem; }
.hero h1 { font-size: clamp(1.6rem, 4vw, 2.2rem); }
.lead { font-size: 1.1rem; color: var(--muted); max-width: 36rem; margin: 0 auto; }
.section-title { margin-top: 1.8rem; }

.card { background: var(--card); border: 1px solid var(--line); border-radius: var(--radius); padding: 1.25rem 1.4rem; box-shadow: 0 1px 2px rgba(43,33,27,.05); }
.card--narrow { max-width: 34rem; margin: 1rem auto; }
.grid { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1.6fr); gap: 1.2rem; align-items: start; }
@media (max-width: 760px) { .grid { grid-template-columns: minmax(0, 1fr); } }

.form { display: flex; flex-direction: column; gap: .45rem; margin: 0; }
.form label { font-weight: 600; font-size: .95rem; }
.form input:not([type=radio]):not([type=hidden]) { font: inherit; padding: .6rem .75rem; border: 1px solid var(--line); border-radius: 10px; background: #fffdfa; }
.form input:focus-visible, .button:focus-visible { outline: 3px solid rgba(76,42,134,.35); outline-offset: 2px; }
.form .button { margin-top: .6rem; }

.button { display: inline-block; text-align: center; text-decoration: none; font: inherit; font-weight: 600; cursor: pointer;
  padding: .6rem 1.1rem; border-radius: 10px; border: 1px solid var(--brand); background: var(--brand); color: #fff; }
.button--ovo { background: var(--ovo); border-color: var(--ovo); }
.button--quiet { background: transparent; color: var(--ink); border-color: var(--line); }
.actions { display: flex; flex-wrap: wrap; gap: .6rem; }

.flash { padding: .7rem .9rem; border-radius: 10px; margin: 0 0 1rem; border: 1px solid transparent; }
.flash--success { background: var(--ok-soft); color: var(--ok); border-color: #b7e2c8; }
.flash--error { background: var(--bad-soft); color: var(--bad); border-color: #f5c2bd; }
.flash--info { background: var(--info-soft); color: var(--info); border-color: #c6d8f3; }

.ovo { background: linear-gradient(180deg, var(--ovo-soft), #fff 60%); border-color: #ddd2f0; }
.ovo h2 { display: flex; align-items: center; gap: .5rem; }
.ovo__logo { background: var(--ovo); color: #fff; font-weight: 800; letter-spacing: .04em; font-size: .8rem; padding: .15rem .45rem; border-radius: 6px; }
.ovo__status { font-weight: 600; display: flex; align-items: center; gap: .45rem; margin: 0 0 .6rem; }
.ovo form { margin: 0; }
.dot { width: .6rem; height: .6rem; border-radius: 50%; background: #b9b0a6; display: inline-block; }
.dot--on { background: var(--ok); } .dot--warn { background: var(--warn); }
.balance { margin: 0 0 1rem; background: #fff; border: 1px solid #e4dbf3; border-radius: 10px; }
.balance div { display: flex; justify-content: space-between; align-items: baseline; gap: 1rem; padding: .6rem .9rem; }
.balance div + div { border-top: 1px solid #eee8f7; }
.balance dt { color: var(--muted); font-size: .9rem; }
.balance dd { margin: 0; font-size: 1.25rem; font-weight: 700; color: var(--ovo); font-variant-numeric: tabular-nums; white-space: nowrap; }

.products { display: grid; grid-template-columns: repeat(auto-fill, minmax(220px, 1fr)); gap: 1rem; }
.product { background: var(--card); border: 1px solid var(--line); border-radius: var(--radius); padding: 1rem 1.1rem 1.2rem; display: flex; flex-direction: column; }
.product__art { color: var(--brand); border-radius: 10px; display: grid; place-items: center; padding: .8rem 0; margin-bottom: .8rem; }
.product .muted { font-size: .9rem; margin: 0 0 .4rem; flex: 1; }
.price { font-weight: 700; font-size: 1.15rem; margin: 0 0 .5rem; }
.paytypes { border: 0; padding: 0; margin: 0; display: flex; flex-direction: column; gap: .2rem; }
.paytypes legend { padding: 0; font-weight: 600; font-size: .85rem; color: var(--muted); margin-bottom: .2rem; }
.paytype { font-weight: 400 !important; font-size: .92rem; display: flex; gap: .4rem; align-items: center; }

table { width: 100%; border-collapse: collapse; }
.orders th, .orders td, .details th, .details td { text-align: left; padding: .5rem .4rem; border-bottom: 1px solid var(--line); vertical-align: top; }
.orders th { font-size: .8rem; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); }
.orders td small { display: block; }
.orders td a { font-weight: 600; }
.details { margin-bottom: 1rem; }
.details th { width: 40%; color: var(--muted); font-weight: 500; }
.num { text-align: right !important; font-variant-numeric: tabular-nums; white-space: nowrap; }
.badge { display: inline-block; font-size: .8rem; font-weight: 600; padding: .15rem .55rem; border-radius: 999px; background: #eee7de; color: var(--muted); white-space: nowrap; }
.badge--paid { background: var(--ok-soft); color: var(--ok); }
.badge--awaiting_payment { background: #fff4dc; color: #8a5a00; }
.badge--link_required { background: var(--ovo-soft); color: var(--ovo); }
.badge--refused, .badge--failed, .badge--expired, .badge--cancelled { background: var(--bad-soft); color: var(--bad); }
.crumbs { margin: 0 0 .5rem; }

@media (max-width: 480px) {
  .brand { font-size: 1rem; }
  .brand__mark { display: none; }
  .who__name { font-size: .9rem; }
  .balance dd { font-size: 1.05rem; }
  .product__art { padding: .4rem 0; }
  .card { padding: 1rem; }
}
`;

export const FAVICON_SVG = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><rect width="64" height="64" rx="14" fill="#6f3f1d"/><text x="32" y="44" font-size="34" text-anchor="middle">☕</text></svg>';
