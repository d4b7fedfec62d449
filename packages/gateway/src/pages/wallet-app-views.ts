// The wallet app's pages (/wallet): sign-in steps, home (balances and transactions), linked merchants,
// phone-number change and the sandbox top-up. Plain HTML forms with one submit button each; no script.
// In Bahasa Indonesia or English (page-language.ts picks per request); every string is in TEXT below.
import { maskPhone } from '@ovo-tokenize/protocol';
import type { GatewayContext } from '../context.ts';
import type { Localized } from '../domain/localized.ts';
import type { Wallet } from '../domain/wallet.ts';
import { formatJakartaDay, formatJakartaTime, formatPoints, formatRupiah } from '../services/wallet-app-format.ts';
import type { LinkedMerchant, WalletOverview, WalletTransaction } from '../services/wallet-app.ts';
import { SANDBOX_TOPUP } from '../services/wallet-app.ts';
import type { FlashKind, WalletSession } from '../store/wallet-sessions.ts';
import { html, type SafeHtml } from './html.ts';
import { button, field, hiddenField, linkButton, notice, renderPage, type PageLang } from './layout.ts';
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

export type Message = { kind: FlashKind; text: Localized } | null | undefined;

/** The page's language and its header link to the other one. */
export interface PageLocale {
  readonly lang: PageLang;
  readonly langSwitch?: { readonly href: string };
}

const TEXT = {
  en: {
    sandboxInbox: (inbox: string) => html`Sandbox mode: no SMS is sent. Read the code in the <a href="${inbox}">sandbox inbox</a>.`,
    sandboxSignIn: html`Sandbox mode: a test wallet exists for every number a shop has linked (its PIN is <strong>123456</strong>), and for wallets added with <code>npx ovo-tokenize wallet add</code>.`,
    signInTitle: 'Sign in',
    signInHeading: 'Sign in to OVO',
    signInLead: 'Check your balance and transactions, manage linked shops and your phone number.',
    phoneLabel: 'Phone number',
    phoneHint: 'The mobile number of your OVO account. We will send you a verification code by SMS.',
    continue: 'Continue',
    codeTitle: 'Verification code',
    codeHeading: 'Enter verification code',
    codeLead: (masked: string) => html`<p class="lead">If <strong>${masked}</strong> is registered with OVO, we have sent a 6-digit code to it by SMS.</p>`,
    codeLabel: 'Verification code',
    codeHint: (minutes: number) => `The code is valid for ${minutes} minutes.`,
    verify: 'Verify',
    resend: 'Send a new code',
    otherNumber: 'Use another number',
    pinTitle: 'Enter PIN',
    pinHeading: 'Enter your OVO PIN',
    pinLead: (masked: string) => html`<p class="lead">Signing in as <strong>${masked}</strong>.</p>`,
    pinLabel: 'OVO PIN',
    pinHint: 'Your 6-digit OVO security code. Never share it with anyone.',
    signIn: 'Sign in',
    cancel: 'Cancel',
    tabHome: 'Home',
    tabMerchants: 'Linked shops',
    tabPhone: 'Phone',
    tabTopUp: 'Top up',
    navLabel: 'OVO app',
    signOut: 'Sign out',
    topUp: 'Top up',
    homeTitle: 'My OVO',
    hi: (name: string) => `Hi, ${name}`,
    olderTx: 'Older transactions',
    recentTx: 'Recent transactions',
    noTx: 'No transactions yet.',
    pagesLabel: 'Transaction pages',
    newest: 'Newest',
    points: (points: string) => `${points} points`,
    merchantsTitle: 'Linked shops',
    merchantsLead: 'These shops can charge your OVO account when you choose to pay with OVO. After you unlink a shop, it has to ask you to link your account again.',
    noMerchants: 'No shops are linked to your OVO account.',
    relink: 'Needs relinking',
    since: (day: string) => `Linked since ${day}`,
    unlink: (name: string) => `Unlink ${name}`,
    phoneCodeLead: (masked: string) => html`<p class="lead">We sent a 6-digit code by SMS to your new number <strong>${masked}</strong>.</p>`,
    phonePinLead: (phone: string) => html`<p class="lead">Confirm with your PIN to make <strong>${phone}</strong> the phone number of your OVO account.</p>`,
    phonePinNote: 'Every shop linked to your OVO account will ask you to link it again.',
    changePhone: 'Change phone number',
    phoneLead: (phone: string) => html`<p class="lead">Your OVO phone number is <strong>${phone}</strong>. To move your account to a new number, we send a code to the new number, then you confirm with your PIN.</p>`,
    phoneNote: 'After the change, every shop linked to your OVO account will ask you to link it again, and you sign in with the new number.',
    newPhoneLabel: 'New phone number',
    sendCode: 'Send code',
    phoneTitle: 'Phone number',
    topUpTitle: 'Top up',
    topUpHeading: 'Top up OVO Cash',
    topUpSandbox: 'Sandbox mode: this adds test money to your OVO Cash. No real payment is made.',
    chooseAmount: 'Choose an amount',
    enterAmount: 'Or enter an amount',
    amountLabel: 'Amount (Rp)',
    amountHint: (min: string, max: string) => `From ${min} to ${max}.`,
    backHome: 'Back to home',
    goToOvo: 'Go to OVO',
    refusedTitle: 'Request refused',
    refused: 'This form has expired or did not come from your OVO session. Open OVO again and retry.',
  },
  id: {
    sandboxInbox: (inbox: string) => html`Mode sandbox: SMS tidak dikirim. Lihat kodenya di <a href="${inbox}">kotak masuk sandbox</a>.`,
    sandboxSignIn: html`Mode sandbox: ada wallet uji untuk setiap nomor yang pernah ditautkan toko (PIN-nya <strong>123456</strong>), dan untuk wallet yang ditambahkan dengan <code>npx ovo-tokenize wallet add</code>.`,
    signInTitle: 'Masuk',
    signInHeading: 'Masuk ke OVO',
    signInLead: 'Cek saldo dan riwayat transaksi, atur toko yang tertaut dan nomor ponsel kamu.',
    phoneLabel: 'Nomor ponsel',
    phoneHint: 'Nomor ponsel akun OVO kamu. Kami akan mengirim kode verifikasi lewat SMS.',
    continue: 'Lanjut',
    codeTitle: 'Kode verifikasi',
    codeHeading: 'Masukkan kode verifikasi',
    codeLead: (masked: string) => html`<p class="lead">Jika <strong>${masked}</strong> terdaftar di OVO, kami telah mengirim 6 digit kode verifikasi ke nomor itu lewat SMS.</p>`,
    codeLabel: 'Kode verifikasi',
    codeHint: (minutes: number) => `Kode berlaku selama ${minutes} menit.`,
    verify: 'Verifikasi',
    resend: 'Kirim kode baru',
    otherNumber: 'Pakai nomor lain',
    pinTitle: 'Masukkan PIN',
    pinHeading: 'Masukkan PIN OVO kamu',
    pinLead: (masked: string) => html`<p class="lead">Masuk sebagai <strong>${masked}</strong>.</p>`,
    pinLabel: 'PIN OVO',
    pinHint: '6 digit kode keamanan OVO kamu. Jangan berikan kepada siapa pun.',
    signIn: 'Masuk',
    cancel: 'Batal',
    tabHome: 'Beranda',
    tabMerchants: 'Toko tertaut',
    tabPhone: 'Nomor ponsel',
    tabTopUp: 'Top up',
    navLabel: 'Aplikasi OVO',
    signOut: 'Keluar',
    topUp: 'Top up',
    homeTitle: 'OVO saya',
    hi: (name: string) => `Hai, ${name}`,
    olderTx: 'Transaksi sebelumnya',
    recentTx: 'Transaksi terakhir',
    noTx: 'Belum ada transaksi.',
    pagesLabel: 'Halaman transaksi',
    newest: 'Terbaru',
    points: (points: string) => `${points} poin`,
    merchantsTitle: 'Toko tertaut',
    merchantsLead: 'Toko-toko ini bisa menagih akun OVO kamu saat kamu memilih bayar dengan OVO. Setelah tautan diputus, toko harus meminta kamu menautkan akun lagi.',
    noMerchants: 'Belum ada toko yang tertaut ke akun OVO kamu.',
    relink: 'Perlu ditautkan lagi',
    since: (day: string) => `Tertaut sejak ${day}`,
    unlink: (name: string) => `Putuskan ${name}`,
    phoneCodeLead: (masked: string) => html`<p class="lead">Kami telah mengirim 6 digit kode verifikasi lewat SMS ke nomor baru kamu <strong>${masked}</strong>.</p>`,
    phonePinLead: (phone: string) => html`<p class="lead">Konfirmasi dengan PIN kamu untuk menjadikan <strong>${phone}</strong> nomor ponsel akun OVO kamu.</p>`,
    phonePinNote: 'Setiap toko yang tertaut ke akun OVO kamu akan meminta kamu menautkan akun lagi.',
    changePhone: 'Ganti nomor ponsel',
    phoneLead: (phone: string) => html`<p class="lead">Nomor ponsel OVO kamu <strong>${phone}</strong>. Untuk memindahkan akun ke nomor baru, kami mengirim kode ke nomor baru itu, lalu kamu konfirmasi dengan PIN.</p>`,
    phoneNote: 'Setelah diganti, setiap toko yang tertaut ke akun OVO kamu akan meminta kamu menautkan akun lagi, dan kamu masuk dengan nomor yang baru.',
    newPhoneLabel: 'Nomor ponsel baru',
    sendCode: 'Kirim kode',
    phoneTitle: 'Nomor ponsel',
    topUpTitle: 'Top up',
    topUpHeading: 'Top up OVO Cash',
    topUpSandbox: 'Mode sandbox: ini menambahkan saldo uji ke OVO Cash kamu. Tidak ada pembayaran sungguhan.',
    chooseAmount: 'Pilih jumlah',
    enterAmount: 'Atau masukkan jumlah',
    amountLabel: 'Jumlah (Rp)',
    amountHint: (min: string, max: string) => `Dari ${min} sampai ${max}.`,
    backHome: 'Kembali ke beranda',
    goToOvo: 'Buka OVO',
    refusedTitle: 'Permintaan ditolak',
    refused: 'Formulir ini sudah kedaluwarsa atau bukan dari sesi OVO kamu. Buka OVO lagi dan coba ulang.',
  },
} as const;

type Text = (typeof TEXT)[PageLang];

type Tab = 'home' | 'merchants' | 'phone' | 'topUp';

interface SignedInPage {
  ctx: GatewayContext;
  session: WalletSession;
  wallet: Wallet;
  locale: PageLocale;
}

/** renderPage plus the wallet stylesheet (the shared shell links only app.css). */
function walletPage(locale: PageLocale, opts: { title: string; heading: string; body: SafeHtml }): string {
  return renderPage({ ...opts, ...locale })
    .replace('<link rel="icon"', `<link rel="stylesheet" href="${WALLET_STYLESHEET_PATH}">\n<link rel="icon"`);
}

function message(m: Message, lang: PageLang): SafeHtml | '' {
  return m ? notice(m.kind, m.text[lang]) : '';
}

function postForm(action: string, csrf: string, content: SafeHtml, className = 'form'): SafeHtml {
  return html`<form method="post" action="${action}" class="${className}">
${hiddenField('csrf_token', csrf)}
${content}
</form>`;
}

function sandboxInboxHint(ctx: GatewayContext, phone: string, t: Text): SafeHtml | '' {
  if (!ctx.config.sandbox) return '';
  const inbox = `/sandbox/inbox?phone_no=${encodeURIComponent(phone)}`;
  return notice('info', t.sandboxInbox(inbox));
}

// ——— signing in ———

export function renderSignIn(ctx: GatewayContext, locale: PageLocale,
  opts: { csrf: string; phone?: string; error?: Localized; notice?: Message }): string {
  const t = TEXT[locale.lang];
  const sandbox = ctx.config.sandbox ? notice('info', t.sandboxSignIn) : '';
  return walletPage(locale, {
    title: t.signInTitle, heading: t.signInHeading,
    body: html`${message(opts.notice, locale.lang)}
<p class="lead">${t.signInLead}</p>
${postForm(WALLET_PATHS.signIn, opts.csrf, html`${field({
      id: 'phone', name: 'phone', label: t.phoneLabel, type: 'tel', inputmode: 'tel', autocomplete: 'tel-national',
      hint: t.phoneHint,
      placeholder: '0812 3456 7890', value: opts.phone, error: opts.error?.[locale.lang], required: true, maxlength: 20, autofocus: true,
    })}
${button(t.continue)}`)}
${sandbox}`,
  });
}

export function renderSignInCode(ctx: GatewayContext, locale: PageLocale, session: WalletSession, m?: Message): string {
  const t = TEXT[locale.lang];
  const masked = maskPhone(session.phone);
  const error = m?.kind === 'error' ? m.text[locale.lang] : undefined;
  return walletPage(locale, {
    title: t.codeTitle, heading: t.codeHeading,
    body: html`${m && m.kind !== 'error' ? message(m, locale.lang) : ''}
${t.codeLead(masked)}
${postForm(WALLET_PATHS.signInCode, session.csrfToken, html`${field({
      id: 'otp', name: 'otp', label: t.codeLabel, type: 'text', inputmode: 'numeric', autocomplete: 'one-time-code',
      pattern: '[0-9]{6}', minlength: 6, maxlength: 6, required: true, autofocus: true, variant: 'pin', error,
      hint: t.codeHint(Math.round(ctx.config.otp_ttl_s / 60)),
    })}
${button(t.verify)}`)}
${postForm(WALLET_PATHS.signInResend, session.csrfToken, button(t.resend, { variant: 'secondary' }), 'form form--inline')}
${sandboxInboxHint(ctx, session.phone, t)}
${postForm(WALLET_PATHS.signInCancel, session.csrfToken, button(t.otherNumber, { variant: 'secondary' }), 'form form--inline')}`,
  });
}

export function renderSignInPin(_ctx: GatewayContext, locale: PageLocale, session: WalletSession, m?: Message): string {
  const t = TEXT[locale.lang];
  const error = m?.kind === 'error' ? m.text[locale.lang] : undefined;
  return walletPage(locale, {
    title: t.pinTitle, heading: t.pinHeading,
    body: html`${t.pinLead(maskPhone(session.phone))}
${postForm(WALLET_PATHS.signInPin, session.csrfToken, html`${field({
      id: 'pin', name: 'pin', label: t.pinLabel, type: 'password', inputmode: 'numeric', autocomplete: 'off',
      pattern: '[0-9]{6}', minlength: 6, maxlength: 6, required: true, autofocus: true, variant: 'pin', error,
      hint: t.pinHint,
    })}
${button(t.signIn)}`)}
${postForm(WALLET_PATHS.signInCancel, session.csrfToken, button(t.cancel, { variant: 'secondary' }), 'form form--inline')}`,
  });
}

// ——— signed in ———

function chrome(p: SignedInPage, active: Tab, content: SafeHtml): SafeHtml {
  const t = TEXT[p.locale.lang];
  const tabs: Array<[Tab, string, string]> = [
    ['home', WALLET_PATHS.home, t.tabHome],
    ['merchants', WALLET_PATHS.merchants, t.tabMerchants],
    ['phone', WALLET_PATHS.phone, t.tabPhone],
    ...(p.ctx.config.sandbox ? [['topUp', WALLET_PATHS.topUp, t.tabTopUp] as [Tab, string, string]] : []),
  ];
  return html`<p class="wallet-who">${p.wallet.name} · ${maskPhone(p.wallet.phone)}</p>
<nav class="wallet-nav" aria-label="${t.navLabel}">
<ul class="wallet-nav__list">
${tabs.map(([tab, href, label]) => html`<li><a class="wallet-nav__link" href="${href}"${tab === active ? html` aria-current="page"` : ''}>${label}</a></li>
`)}</ul>
</nav>
${content}
<div class="wallet-footer">
${postForm(WALLET_PATHS.signOut, p.session.csrfToken, button(t.signOut, { variant: 'secondary' }), 'form form--inline')}
</div>`;
}

export function renderHome(p: SignedInPage, overview: WalletOverview, opts: { flash?: Message; olderPage: boolean }): string {
  const { lang } = p.locale;
  const t = TEXT[lang];
  const { balances, transactions } = overview;
  const topUp = p.ctx.config.sandbox ? html`<a class="balance-card__action" href="${WALLET_PATHS.topUp}">${t.topUp}</a>` : '';
  return walletPage(p.locale, {
    title: t.homeTitle, heading: t.hi(firstName(p.wallet.name)),
    body: chrome(p, 'home', html`${message(opts.flash, lang)}
<section class="balance-card" aria-labelledby="cash-label">
<h2 class="balance-card__label" id="cash-label">OVO Cash</h2>
<p class="balance-card__amount" data-testid="cash-balance">${formatRupiah(balances.cash)}</p>
<div class="balance-card__row">
<p class="balance-card__points">OVO Points <strong data-testid="points-balance">${formatPoints(balances.points)}</strong></p>
${topUp}
</div>
</section>
<section aria-labelledby="tx-title">
<h2 class="section-title" id="tx-title">${opts.olderPage ? t.olderTx : t.recentTx}</h2>
${transactions.length === 0
    ? html`<p class="empty">${t.noTx}</p>`
    : html`<ul class="tx-list">
${transactions.map((tx) => transactionItem(tx, lang))}</ul>`}
${(overview.olderBefore !== null || opts.olderPage) && html`<nav class="pager" aria-label="${t.pagesLabel}">
${opts.olderPage ? html`<a href="${WALLET_PATHS.home}">${t.newest}</a>` : html`<span></span>`}
${overview.olderBefore !== null && html`<a href="${`${WALLET_PATHS.home}?before=${overview.olderBefore}`}" rel="next">${t.olderTx}</a>`}
</nav>`}
</section>`),
  });
}

function transactionItem(tx: WalletTransaction, lang: PageLang): SafeHtml {
  const money = tx.currency === 'cash' ? formatRupiah(tx.amount) : TEXT[lang].points(formatPoints(tx.amount));
  const sign = tx.effect === 'in' ? '+' : tx.effect === 'out' ? '−' : '';
  const icon = tx.effect === 'in' ? '+' : tx.effect === 'out' ? '↑' : '•';
  const account = tx.currency === 'cash' ? 'OVO Cash' : 'OVO Points';
  return html`<li class="tx">
<span class="${tx.effect === 'in' ? 'tx__icon tx__icon--in' : 'tx__icon'}" aria-hidden="true">${icon}</span>
<span class="tx__main"><span class="tx__title">${tx.title[lang]}</span><span class="tx__meta">${formatJakartaTime(tx.at, lang)}</span><span class="tx__meta">${account}${tx.detail ? ` · ${tx.detail[lang]}` : ''}</span></span>
<span class="tx__amount tx__amount--${tx.effect}">${sign}${money}${tx.status !== null && html`<span class="tx__status">${tx.status[lang]}</span>`}</span>
</li>
`;
}

export function renderMerchants(p: SignedInPage, merchants: readonly LinkedMerchant[], flash?: Message): string {
  const { lang } = p.locale;
  const t = TEXT[lang];
  return walletPage(p.locale, {
    title: t.merchantsTitle, heading: t.merchantsTitle,
    body: chrome(p, 'merchants', html`${message(flash, lang)}
<p class="lead">${t.merchantsLead}</p>
${merchants.length === 0
    ? html`<p class="empty">${t.noMerchants}</p>`
    : html`<ul class="merchant-list">
${merchants.map((m) => html`<li class="merchant">
<span><span class="merchant__name">${m.name}${!m.usable && html`<span class="badge">${t.relink}</span>`}</span><span class="merchant__meta">${t.since(formatJakartaDay(m.since, lang))}</span></span>
${postForm(WALLET_PATHS.unlink, p.session.csrfToken, html`${hiddenField('merchant_id', m.merchantId)}${button(t.unlink(m.name), { variant: 'danger' })}`)}
</li>
`)}</ul>`}`),
  });
}

export function renderPhone(p: SignedInPage, opts: { flash?: Message; phone?: string; error?: Localized } = {}): string {
  const { session } = p;
  const { lang } = p.locale;
  const t = TEXT[lang];
  const masked = session.newPhone ? maskPhone(session.newPhone) : '';
  const error = opts.error?.[lang];
  let step: SafeHtml;
  if (session.changeState === 'otp' && session.newPhone) {
    step = html`${t.phoneCodeLead(masked)}
${postForm(WALLET_PATHS.phoneCode, session.csrfToken, html`${field({
      id: 'otp', name: 'otp', label: t.codeLabel, type: 'text', inputmode: 'numeric', autocomplete: 'one-time-code',
      pattern: '[0-9]{6}', minlength: 6, maxlength: 6, required: true, autofocus: true, variant: 'pin', error,
    })}
${button(t.verify)}`)}
${postForm(WALLET_PATHS.phoneResend, session.csrfToken, button(t.resend, { variant: 'secondary' }), 'form form--inline')}
${sandboxInboxHint(p.ctx, session.newPhone, t)}
${postForm(WALLET_PATHS.phoneCancel, session.csrfToken, button(t.cancel, { variant: 'secondary' }), 'form form--inline')}`;
  } else if (session.changeState === 'pin' && session.newPhone) {
    step = html`${t.phonePinLead(session.newPhone)}
${notice('info', t.phonePinNote)}
${postForm(WALLET_PATHS.phonePin, session.csrfToken, html`${field({
      id: 'pin', name: 'pin', label: t.pinLabel, type: 'password', inputmode: 'numeric', autocomplete: 'off',
      pattern: '[0-9]{6}', minlength: 6, maxlength: 6, required: true, autofocus: true, variant: 'pin', error,
    })}
${button(t.changePhone)}`)}
${postForm(WALLET_PATHS.phoneCancel, session.csrfToken, button(t.cancel, { variant: 'secondary' }), 'form form--inline')}`;
  } else {
    step = html`${t.phoneLead(p.wallet.phone)}
${notice('info', t.phoneNote)}
${postForm(WALLET_PATHS.phone, session.csrfToken, html`${field({
      id: 'phone', name: 'phone', label: t.newPhoneLabel, type: 'tel', inputmode: 'tel', autocomplete: 'tel-national',
      placeholder: '0812 3456 7890', value: opts.phone, error, required: true, maxlength: 20,
    })}
${button(t.sendCode)}`)}`;
  }
  return walletPage(p.locale, {
    title: t.phoneTitle, heading: t.changePhone,
    body: chrome(p, 'phone', html`${message(opts.flash, lang)}${step}`),
  });
}

const QUICK_TOP_UPS = [50_000n, 100_000n, 500_000n] as const;

export function renderTopUp(p: SignedInPage, opts: { flash?: Message; amount?: string; error?: Localized } = {}): string {
  const { lang } = p.locale;
  const t = TEXT[lang];
  return walletPage(p.locale, {
    title: t.topUpTitle, heading: t.topUpHeading,
    body: chrome(p, 'topUp', html`${message(opts.flash, lang)}
${notice('info', t.topUpSandbox)}
<h2 class="section-title">${t.chooseAmount}</h2>
<div class="quick-amounts">
${QUICK_TOP_UPS.map((amount) => postForm(WALLET_PATHS.topUp, p.session.csrfToken,
    html`${hiddenField('amount', String(amount))}${button(formatRupiah(amount), { variant: 'secondary' })}`))}
</div>
<h2 class="section-title">${t.enterAmount}</h2>
${postForm(WALLET_PATHS.topUp, p.session.csrfToken, html`${field({
      id: 'amount', name: 'amount', label: t.amountLabel, type: 'text', inputmode: 'numeric', autocomplete: 'off',
      hint: t.amountHint(formatRupiah(SANDBOX_TOPUP.amount_min), formatRupiah(SANDBOX_TOPUP.amount_max)),
      placeholder: '100000', value: opts.amount, error: opts.error?.[lang], required: true, maxlength: 16,
    })}
${button(t.topUp)}`)}
${linkButton(WALLET_PATHS.home, t.backHome)}`),
  });
}

/** The "request refused" page (a form that did not come from the customer's session). */
export function renderWalletRefused(locale: PageLocale): string {
  const t = TEXT[locale.lang];
  return renderWalletProblem(locale, t.refusedTitle, t.refused);
}

export function renderWalletProblem(locale: PageLocale, title: string, text: string): string {
  return walletPage(locale, {
    title, heading: title,
    body: html`${notice('error', text)}${linkButton(WALLET_PATHS.home, TEXT[locale.lang].goToOvo)}`,
  });
}

function firstName(name: string): string {
  return name.trim().split(/\s+/)[0] || name;
}
