// The wallet app's pages (/wallet): sign-in steps, home (balances and transactions), linked merchants,
// phone-number change and the sandbox top-up. Plain HTML forms with one submit button each; no script.
import { maskPhone } from '@ovo-tokenize/protocol';
import type { GatewayContext } from '../context.ts';
import type { Wallet } from '../domain/wallet.ts';
import { formatJakartaDay, formatJakartaTime, formatPoints, formatRupiah } from '../services/wallet-app-format.ts';
import type { LinkedMerchant, WalletOverview, WalletTransaction } from '../services/wallet-app.ts';
import { SANDBOX_TOPUP } from '../services/wallet-app.ts';
import type { FlashKind, WalletSession } from '../store/wallet-sessions.ts';
import { html, type SafeHtml } from './html.ts';
import { button, field, hiddenField, linkButton, notice, renderPage } from './layout.ts';
import { WALLET_STYLESHEET_PATH } from './wallet-app-styles.ts';

export const WALLET_PATHS = {
  home: '/wallet',
  signIn: '/wallet/sign-in',
  signInCode: '/wallet/sign-in/code',
  signInResend: '/wallet/sign-in/resend',
  signInPin: '/wallet/sign-in/pin',
  signInCancel: '/wallet/sign-in/cancel',
  signOut: '/wallet/sign-out',
  merchants: '/wallet/merchants',
  unlink: '/wallet/merchants/unlink',
  phone: '/wallet/phone',
  phoneCode: '/wallet/phone/code',
  phoneResend: '/wallet/phone/resend',
  phonePin: '/wallet/phone/pin',
  phoneCancel: '/wallet/phone/cancel',
  topUp: '/wallet/top-up',
} as const;

export type Message = { kind: FlashKind; text: string } | null | undefined;

type Tab = 'home' | 'merchants' | 'phone' | 'topUp';

interface SignedInPage {
  ctx: GatewayContext;
  session: WalletSession;
  wallet: Wallet;
}

/** renderPage plus the wallet stylesheet (the shared shell links only app.css). */
function walletPage(opts: { title: string; heading: string; body: SafeHtml }): string {
  return renderPage({ ...opts, lang: 'en' })
    .replace('<link rel="icon"', `<link rel="stylesheet" href="${WALLET_STYLESHEET_PATH}">\n<link rel="icon"`);
}

function message(m: Message): SafeHtml | '' {
  return m ? notice(m.kind, m.text) : '';
}

function postForm(action: string, csrf: string, content: SafeHtml, className = 'form'): SafeHtml {
  return html`<form method="post" action="${action}" class="${className}">
${hiddenField('csrf_token', csrf)}
${content}
</form>`;
}

function sandboxInboxHint(ctx: GatewayContext, phone: string): SafeHtml | '' {
  if (!ctx.config.sandbox) return '';
  const inbox = `/sandbox/inbox?phone_no=${encodeURIComponent(phone)}`;
  return notice('info', html`Sandbox mode: no SMS is sent. Read the code in the <a href="${inbox}">sandbox inbox</a>.`);
}

// ——— signing in ———

export function renderSignIn(ctx: GatewayContext, opts: { csrf: string; phone?: string; error?: string; notice?: Message }): string {
  const sandbox = ctx.config.sandbox
    ? notice('info', html`Sandbox mode: a test wallet exists for every number a shop has linked (its PIN is <strong>123456</strong>), and for wallets added with <code>npx ovo-tokenize wallet add</code>.`)
    : '';
  return walletPage({
    title: 'Sign in', heading: 'Sign in to OVO',
    body: html`${message(opts.notice)}
<p class="lead">Check your balance and transactions, manage linked shops and your phone number.</p>
${postForm(WALLET_PATHS.signIn, opts.csrf, html`${field({
      id: 'phone', name: 'phone', label: 'Phone number', type: 'tel', inputmode: 'tel', autocomplete: 'tel-national',
      hint: 'The mobile number of your OVO account. We will send you a verification code by SMS.',
      placeholder: '0812 3456 7890', value: opts.phone, error: opts.error, required: true, maxlength: 20, autofocus: true,
    })}
${button('Continue')}`)}
${sandbox}`,
  });
}

export function renderSignInCode(ctx: GatewayContext, session: WalletSession, m?: Message): string {
  const masked = maskPhone(session.phone);
  const error = m?.kind === 'error' ? m.text : undefined;
  return walletPage({
    title: 'Verification code', heading: 'Enter verification code',
    body: html`${m && m.kind !== 'error' ? message(m) : ''}
<p class="lead">If <strong>${masked}</strong> is registered with OVO, we have sent a 6-digit code to it by SMS.</p>
${postForm(WALLET_PATHS.signInCode, session.csrfToken, html`${field({
      id: 'otp', name: 'otp', label: 'Verification code', type: 'text', inputmode: 'numeric', autocomplete: 'one-time-code',
      pattern: '[0-9]{6}', minlength: 6, maxlength: 6, required: true, autofocus: true, variant: 'pin', error,
      hint: `The code is valid for ${Math.round(ctx.config.otp_ttl_s / 60)} minutes.`,
    })}
${button('Verify')}`)}
${postForm(WALLET_PATHS.signInResend, session.csrfToken, button('Send a new code', { variant: 'secondary' }), 'form form--inline')}
${sandboxInboxHint(ctx, session.phone)}
${postForm(WALLET_PATHS.signInCancel, session.csrfToken, button('Use another number', { variant: 'secondary' }), 'form form--inline')}`,
  });
}

export function renderSignInPin(_ctx: GatewayContext, session: WalletSession, m?: Message): string {
  const error = m?.kind === 'error' ? m.text : undefined;
  return walletPage({
    title: 'Enter PIN', heading: 'Enter your OVO PIN',
    body: html`<p class="lead">Signing in as <strong>${maskPhone(session.phone)}</strong>.</p>
${postForm(WALLET_PATHS.signInPin, session.csrfToken, html`${field({
      id: 'pin', name: 'pin', label: 'OVO PIN', type: 'password', inputmode: 'numeric', autocomplete: 'off',
      pattern: '[0-9]{6}', minlength: 6, maxlength: 6, required: true, autofocus: true, variant: 'pin', error,
      hint: 'Your 6-digit OVO security code. Never share it with anyone.',
    })}
${button('Sign in')}`)}
${postForm(WALLET_PATHS.signInCancel, session.csrfToken, button('Cancel', { variant: 'secondary' }), 'form form--inline')}`,
  });
}

// ——— signed in ———

function chrome(p: SignedInPage, active: Tab, content: SafeHtml): SafeHtml {
  const tabs: Array<[Tab, string, string]> = [
    ['home', WALLET_PATHS.home, 'Home'],
    ['merchants', WALLET_PATHS.merchants, 'Linked shops'],
    ['phone', WALLET_PATHS.phone, 'Phone'],
    ...(p.ctx.config.sandbox ? [['topUp', WALLET_PATHS.topUp, 'Top up'] as [Tab, string, string]] : []),
  ];
  return html`<p class="wallet-who">${p.wallet.name} · ${maskPhone(p.wallet.phone)}</p>
<nav class="wallet-nav" aria-label="OVO app">
<ul class="wallet-nav__list">
${tabs.map(([tab, href, label]) => html`<li><a class="wallet-nav__link" href="${href}"${tab === active ? html` aria-current="page"` : ''}>${label}</a></li>
`)}</ul>
</nav>
${content}
<div class="wallet-footer">
${postForm(WALLET_PATHS.signOut, p.session.csrfToken, button('Sign out', { variant: 'secondary' }), 'form form--inline')}
</div>`;
}

export function renderHome(p: SignedInPage, overview: WalletOverview, opts: { flash?: Message; olderPage: boolean }): string {
  const { balances, transactions } = overview;
  const topUp = p.ctx.config.sandbox ? html`<a class="balance-card__action" href="${WALLET_PATHS.topUp}">Top up</a>` : '';
  return walletPage({
    title: 'My OVO', heading: `Hi, ${firstName(p.wallet.name)}`,
    body: chrome(p, 'home', html`${message(opts.flash)}
<section class="balance-card" aria-labelledby="cash-label">
<h2 class="balance-card__label" id="cash-label">OVO Cash</h2>
<p class="balance-card__amount" data-testid="cash-balance">${formatRupiah(balances.cash)}</p>
<div class="balance-card__row">
<p class="balance-card__points">OVO Points <strong data-testid="points-balance">${formatPoints(balances.points)}</strong></p>
${topUp}
</div>
</section>
<section aria-labelledby="tx-title">
<h2 class="section-title" id="tx-title">${opts.olderPage ? 'Older transactions' : 'Recent transactions'}</h2>
${transactions.length === 0
    ? html`<p class="empty">No transactions yet.</p>`
    : html`<ul class="tx-list">
${transactions.map(transactionItem)}</ul>`}
${(overview.olderBefore !== null || opts.olderPage) && html`<nav class="pager" aria-label="Transaction pages">
${opts.olderPage ? html`<a href="${WALLET_PATHS.home}">Newest</a>` : html`<span></span>`}
${overview.olderBefore !== null && html`<a href="${`${WALLET_PATHS.home}?before=${overview.olderBefore}`}" rel="next">Older transactions</a>`}
</nav>`}
</section>`),
  });
}

function transactionItem(t: WalletTransaction): SafeHtml {
  const money = t.currency === 'cash' ? formatRupiah(t.amount) : `${formatPoints(t.amount)} points`;
  const sign = t.effect === 'in' ? '+' : t.effect === 'out' ? '−' : '';
  const icon = t.effect === 'in' ? '+' : t.effect === 'out' ? '↑' : '•';
  const account = t.currency === 'cash' ? 'OVO Cash' : 'OVO Points';
  return html`<li class="tx">
<span class="${t.effect === 'in' ? 'tx__icon tx__icon--in' : 'tx__icon'}" aria-hidden="true">${icon}</span>
<span class="tx__main"><span class="tx__title">${t.title}</span><span class="tx__meta">${formatJakartaTime(t.at)}</span><span class="tx__meta">${account}${t.detail ? ` · ${t.detail}` : ''}</span></span>
<span class="tx__amount tx__amount--${t.effect}">${sign}${money}${t.status !== null && html`<span class="tx__status">${t.status}</span>`}</span>
</li>
`;
}

export function renderMerchants(p: SignedInPage, merchants: readonly LinkedMerchant[], flash?: Message): string {
  return walletPage({
    title: 'Linked shops', heading: 'Linked shops',
    body: chrome(p, 'merchants', html`${message(flash)}
<p class="lead">These shops can charge your OVO account when you choose to pay with OVO. After you unlink a shop, it has to ask you to link your account again.</p>
${merchants.length === 0
    ? html`<p class="empty">No shops are linked to your OVO account.</p>`
    : html`<ul class="merchant-list">
${merchants.map((m) => html`<li class="merchant">
<span><span class="merchant__name">${m.name}${!m.usable && html`<span class="badge">Needs relinking</span>`}</span><span class="merchant__meta">Linked since ${formatJakartaDay(m.since)}</span></span>
${postForm(WALLET_PATHS.unlink, p.session.csrfToken, html`${hiddenField('merchant_id', m.merchantId)}${button(`Unlink ${m.name}`, { variant: 'danger' })}`)}
</li>
`)}</ul>`}`),
  });
}

export function renderPhone(p: SignedInPage, opts: { flash?: Message; phone?: string; error?: string } = {}): string {
  const { session } = p;
  const masked = session.newPhone ? maskPhone(session.newPhone) : '';
  const error = opts.error;
  let step: SafeHtml;
  if (session.changeState === 'otp' && session.newPhone) {
    step = html`<p class="lead">We sent a 6-digit code by SMS to your new number <strong>${masked}</strong>.</p>
${postForm(WALLET_PATHS.phoneCode, session.csrfToken, html`${field({
      id: 'otp', name: 'otp', label: 'Verification code', type: 'text', inputmode: 'numeric', autocomplete: 'one-time-code',
      pattern: '[0-9]{6}', minlength: 6, maxlength: 6, required: true, autofocus: true, variant: 'pin', error,
    })}
${button('Verify')}`)}
${postForm(WALLET_PATHS.phoneResend, session.csrfToken, button('Send a new code', { variant: 'secondary' }), 'form form--inline')}
${sandboxInboxHint(p.ctx, session.newPhone)}
${postForm(WALLET_PATHS.phoneCancel, session.csrfToken, button('Cancel', { variant: 'secondary' }), 'form form--inline')}`;
  } else if (session.changeState === 'pin' && session.newPhone) {
    step = html`<p class="lead">Confirm with your PIN to make <strong>${session.newPhone}</strong> the phone number of your OVO account.</p>
${notice('info', 'Every shop linked to your OVO account will ask you to link it again.')}
${postForm(WALLET_PATHS.phonePin, session.csrfToken, html`${field({
      id: 'pin', name: 'pin', label: 'OVO PIN', type: 'password', inputmode: 'numeric', autocomplete: 'off',
      pattern: '[0-9]{6}', minlength: 6, maxlength: 6, required: true, autofocus: true, variant: 'pin', error,
    })}
${button('Change phone number')}`)}
${postForm(WALLET_PATHS.phoneCancel, session.csrfToken, button('Cancel', { variant: 'secondary' }), 'form form--inline')}`;
  } else {
    step = html`<p class="lead">Your OVO phone number is <strong>${p.wallet.phone}</strong>. To move your account to a new number, we send a code to the new number, then you confirm with your PIN.</p>
${notice('info', 'After the change, every shop linked to your OVO account will ask you to link it again, and you sign in with the new number.')}
${postForm(WALLET_PATHS.phone, session.csrfToken, html`${field({
      id: 'phone', name: 'phone', label: 'New phone number', type: 'tel', inputmode: 'tel', autocomplete: 'tel-national',
      placeholder: '0812 3456 7890', value: opts.phone, error, required: true, maxlength: 20,
    })}
${button('Send code')}`)}`;
  }
  return walletPage({
    title: 'Phone number', heading: 'Change phone number',
    body: chrome(p, 'phone', html`${message(opts.flash)}${step}`),
  });
}

const QUICK_TOP_UPS = [50_000n, 100_000n, 500_000n] as const;

export function renderTopUp(p: SignedInPage, opts: { flash?: Message; amount?: string; error?: string } = {}): string {
  return walletPage({
    title: 'Top up', heading: 'Top up OVO Cash',
    body: chrome(p, 'topUp', html`${message(opts.flash)}
${notice('info', 'Sandbox mode: this adds test money to your OVO Cash. No real payment is made.')}
<h2 class="section-title">Choose an amount</h2>
<div class="quick-amounts">
${QUICK_TOP_UPS.map((amount) => postForm(WALLET_PATHS.topUp, p.session.csrfToken,
    html`${hiddenField('amount', String(amount))}${button(formatRupiah(amount), { variant: 'secondary' })}`))}
</div>
<h2 class="section-title">Or enter an amount</h2>
${postForm(WALLET_PATHS.topUp, p.session.csrfToken, html`${field({
      id: 'amount', name: 'amount', label: 'Amount (Rp)', type: 'text', inputmode: 'numeric', autocomplete: 'off',
      hint: `From ${formatRupiah(SANDBOX_TOPUP.amount_min)} to ${formatRupiah(SANDBOX_TOPUP.amount_max)}.`,
      placeholder: '100000', value: opts.amount, error: opts.error, required: true, maxlength: 16,
    })}
${button('Top up')}`)}
${linkButton(WALLET_PATHS.home, 'Back to home')}`),
  });
}

export function renderWalletProblem(title: string, text: string): string {
  return walletPage({
    title, heading: title,
    body: html`${notice('error', text)}${linkButton(WALLET_PATHS.home, 'Go to OVO')}`,
  });
}

function firstName(name: string): string {
  return name.trim().split(/\s+/)[0] || name;
}
