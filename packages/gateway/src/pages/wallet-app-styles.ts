// The wallet app's own stylesheet, on top of /assets/app.css: balance card, tabs, transaction and merchant
// lists. Served from /wallet/assets/ with a content hash in the URL (the CSP allows only same-origin styles).
import { createHash } from 'node:crypto';

export const WALLET_STYLESHEET = `/* OVO wallet app (/wallet), layered on app.css */

.visually-hidden {
  position: absolute;
  width: 1px;
  height: 1px;
  margin: -1px;
  padding: 0;
  overflow: hidden;
  clip: rect(0 0 0 0);
  white-space: nowrap;
  border: 0;
}

.wallet-who {
  margin: -0.5rem 0 1rem;
  color: var(--ink-muted);
  font-variant-numeric: tabular-nums;
}

.wallet-nav {
  margin: 0 0 1.25rem;
  border-bottom: 1px solid var(--line);
}

.wallet-nav__list {
  list-style: none;
  margin: 0;
  padding: 0;
  display: flex;
  gap: 0.125rem;
  overflow-x: auto;
}

.wallet-nav__link {
  display: inline-flex;
  align-items: center;
  min-height: 44px;
  padding: 0 0.5rem;
  font-size: 0.9375rem;
  border-bottom: 3px solid transparent;
  color: var(--ink-muted);
  font-weight: 600;
  text-decoration: none;
  white-space: nowrap;
}

.wallet-nav__link:hover {
  color: var(--purple);
}

.wallet-nav__link[aria-current="page"] {
  color: var(--purple);
  border-bottom-color: var(--purple);
}

.balance-card {
  margin: 0 0 1.5rem;
  padding: 1.25rem 1.25rem 1rem;
  border-radius: 16px;
  background: linear-gradient(135deg, #5b32a3 0%, var(--purple) 55%, var(--purple-dark) 100%);
  color: #ffffff;
  box-shadow: 0 6px 18px rgba(76, 42, 134, 0.28);
}

.balance-card__label {
  margin: 0;
  font-size: 0.9375rem;
  font-weight: 600;
  opacity: 0.9;
}

.balance-card__amount {
  margin: 0.125rem 0 0.75rem;
  font-size: 2rem;
  font-weight: 800;
  line-height: 1.2;
  letter-spacing: 0.01em;
  font-variant-numeric: tabular-nums;
}

.balance-card__row {
  display: flex;
  align-items: center;
  justify-content: space-between;
  gap: 1rem;
  padding-top: 0.75rem;
  border-top: 1px solid rgba(255, 255, 255, 0.25);
}

.balance-card__points {
  margin: 0;
  font-variant-numeric: tabular-nums;
}

.balance-card__points strong {
  font-size: 1.125rem;
}

.balance-card__action {
  display: inline-flex;
  align-items: center;
  min-height: 40px;
  padding: 0 1rem;
  border-radius: 999px;
  background: #ffffff;
  color: var(--purple);
  font-weight: 700;
  text-decoration: none;
}

.balance-card__action:hover {
  background: var(--purple-light);
  color: var(--purple-dark);
}

.balance-card :focus-visible {
  outline-color: #ffd166;
}

.section-title {
  margin: 1.5rem 0 0.5rem;
  font-size: 1.125rem;
}

.tx-list,
.merchant-list {
  list-style: none;
  margin: 0;
  padding: 0;
}

.tx {
  display: flex;
  align-items: center;
  gap: 0.75rem;
  padding: 0.75rem 0;
  border-bottom: 1px solid var(--line);
}

.tx__icon {
  flex: none;
  display: inline-flex;
  align-items: center;
  justify-content: center;
  width: 2.5rem;
  height: 2.5rem;
  border-radius: 50%;
  background: var(--purple-light);
  color: var(--purple);
  font-weight: 800;
}

.tx__icon--in {
  background: var(--success-bg);
  color: var(--success-ink);
}

.tx__main {
  flex: 1;
  min-width: 0;
}

.tx__title {
  display: block;
  font-weight: 600;
  overflow-wrap: anywhere;
}

.tx:last-child,
.merchant:last-child {
  border-bottom: 0;
}

.tx__meta {
  display: block;
  color: var(--ink-muted);
  font-size: 0.875rem;
  overflow-wrap: anywhere;
}

.tx__amount {
  flex: none;
  text-align: right;
  font-weight: 700;
  font-variant-numeric: tabular-nums;
  white-space: nowrap;
}

.tx__amount--in {
  color: var(--success-ink);
}

.tx__amount--none {
  color: var(--ink-muted);
  font-weight: 600;
}

.tx__status {
  display: block;
  font-size: 0.8125rem;
  font-weight: 600;
  color: var(--ink-muted);
}

.pager {
  display: flex;
  justify-content: space-between;
  gap: 1rem;
  margin-top: 0.75rem;
}

.pager a {
  display: inline-flex;
  align-items: center;
  min-height: 44px;
  font-weight: 600;
}

.merchant {
  display: flex;
  flex-wrap: wrap;
  align-items: center;
  justify-content: space-between;
  gap: 0.5rem 1rem;
  padding: 0.875rem 0;
  border-bottom: 1px solid var(--line);
}

.merchant__name {
  display: block;
  font-weight: 700;
}

.merchant__meta {
  display: block;
  color: var(--ink-muted);
  font-size: 0.875rem;
}

.merchant .form {
  margin: 0;
}

.merchant .button {
  margin: 0;
}

.badge {
  display: inline-block;
  margin-left: 0.375rem;
  padding: 0 0.5rem;
  border-radius: 999px;
  background: var(--error-bg);
  color: var(--error-ink);
  font-size: 0.8125rem;
  font-weight: 600;
  vertical-align: middle;
}

.quick-amounts {
  display: grid;
  grid-template-columns: repeat(3, 1fr);
  gap: 0.5rem;
  margin: 0 0 1rem;
}

.quick-amounts .form {
  margin: 0;
}

.quick-amounts .button {
  width: 100%;
  min-width: 0;
  margin: 0;
  padding: 0.5rem;
}

.wallet-footer {
  margin-top: 1.5rem;
  padding-top: 0.5rem;
  border-top: 1px solid var(--line);
  text-align: center;
}

.wallet-footer .button {
  display: inline-flex;
  width: auto;
  min-width: 9rem;
}

.empty {
  color: var(--ink-muted);
}
`;

export const WALLET_STYLESHEET_ETAG = `"${createHash('sha256').update(WALLET_STYLESHEET).digest('base64url').slice(0, 22)}"`;

/** The URL carries the content hash, so a new version is never served from a stale cache. */
export const WALLET_STYLESHEET_PATH = `/wallet/assets/wallet.css?v=${WALLET_STYLESHEET_ETAG.slice(1, 11)}`;
