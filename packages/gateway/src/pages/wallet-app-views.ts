// The wallet app's pages (/wallet): sign-in steps, home (balances and transactions), linked merchants,
// phone-number change and the sandbox top-up. Plain HTML forms with one submit button each; no script.
// In Bahasa Indonesia or English (page-language.ts picks per request); every string is in TEXT below.
import { maskPhone } from '@ovo-tokenize/protocol';
import type { GatewayContext } from '../context.ts';
import { localized, verbatim, type Lang, type Localized } from '../domain/localized.ts';
import type { Wallet } from '../domain/wallet.ts';
import { formatJakartaDay, formatJakartaTime, formatPoints, formatRupiah } from '../services/wallet-app-format.ts';
import type { LinkedMerchant, WalletOverview, WalletTransaction } from '../services/wallet-app.ts';
import { SANDBOX_TOPUP } from '../services/wallet-app.ts';
import type { FlashKind, WalletSession } from '../store/wallet-sessions.ts';
import { inlineButtonForm, postForm, sandboxInboxHint, secretField } from './challenge-pages.ts';
import { html, type SafeHtml } from './html.ts';
import {
  WALLET_STYLESHEET_PATH, button, field, hiddenField, linkButton, notice, renderPage, type PageLocale,
} from './layout.ts';

export type { PageLocale } from './layout.ts';

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

const TEXT = {
  sandboxSignIn: localized(html`Sandbox mode: a test wallet exists for every number a shop has linked (its PIN is <strong>123456</strong>), and for wallets added with <code>npx ovo-tokenize wallet add</code>.`,
    html`Mode sandbox: ada wallet uji untuk setiap nomor yang pernah ditautkan toko (PIN-nya <strong>123456</strong>), dan untuk wallet yang ditambahkan dengan <code>npx ovo-tokenize wallet add</code>.`),
  signInTitle: localized('Sign in', 'Masuk'),
  signInHeading: localized('Sign in to OVO', 'Masuk ke OVO'),
  signInLead: localized('Check your balance and transactions, manage linked shops and your phone number.',
    'Cek saldo dan riwayat transaksi, atur toko yang tertaut dan nomor ponsel kamu.'),
  phoneLabel: localized('Phone number', 'Nomor ponsel'),
  phoneHint: localized('The mobile number of your OVO account. We will send you a verification code by SMS.',
    'Nomor ponsel akun OVO kamu. Kami akan mengirim kode verifikasi lewat SMS.'),
  continue: localized('Continue', 'Lanjut'),
  codeTitle: localized('Verification code', 'Kode verifikasi'),
  codeHeading: localized('Enter verification code', 'Masukkan kode verifikasi'),
  codeLead: (masked: string) => localized(html`<p class="lead">If <strong>${masked}</strong> is registered with OVO, we have sent a 6-digit code to it by SMS.</p>`,
    html`<p class="lead">Jika <strong>${masked}</strong> terdaftar di OVO, kami telah mengirim 6 digit kode verifikasi ke nomor itu lewat SMS.</p>`),
  codeLabel: localized('Verification code', 'Kode verifikasi'),
  codeHint: (minutes: number) => localized(`The code is valid for ${minutes} minutes.`,
    `Kode berlaku selama ${minutes} menit.`),
  verify: localized('Verify', 'Verifikasi'),
  resend: localized('Send a new code', 'Kirim kode baru'),
  otherNumber: localized('Use another number', 'Pakai nomor lain'),
  pinTitle: localized('Enter PIN', 'Masukkan PIN'),
  pinHeading: localized('Enter your OVO PIN', 'Masukkan PIN OVO kamu'),
  pinLead: (masked: string) => localized(html`<p class="lead">Signing in as <strong>${masked}</strong>.</p>`,
    html`<p class="lead">Masuk sebagai <strong>${masked}</strong>.</p>`),
  pinLabel: localized('OVO PIN', 'PIN OVO'),
  pinHint: localized('Your 6-digit OVO security code. Never share it with anyone.',
    '6 digit kode keamanan OVO kamu. Jangan berikan kepada siapa pun.'),
  signIn: localized('Sign in', 'Masuk'),
  cancel: localized('Cancel', 'Batal'),
  tabHome: localized('Home', 'Beranda'),
  tabMerchants: localized('Linked shops', 'Toko tertaut'),
  tabPhone: localized('Phone', 'Nomor ponsel'),
  tabTopUp: verbatim('Top up'),
  navLabel: localized('OVO app', 'Aplikasi OVO'),
  signOut: localized('Sign out', 'Keluar'),
  topUp: verbatim('Top up'),
  homeTitle: localized('My OVO', 'OVO saya'),
  hi: (name: string) => localized(`Hi, ${name}`, `Hai, ${name}`),
  olderTx: localized('Older transactions', 'Transaksi sebelumnya'),
  recentTx: localized('Recent transactions', 'Transaksi terakhir'),
  noTx: localized('No transactions yet.', 'Belum ada transaksi.'),
  pagesLabel: localized('Transaction pages', 'Halaman transaksi'),
  newest: localized('Newest', 'Terbaru'),
  points: (points: string) => localized(`${points} points`, `${points} poin`),
  merchantsTitle: localized('Linked shops', 'Toko tertaut'),
  merchantsLead: localized('These shops can charge your OVO account when you choose to pay with OVO. After you unlink a shop, it has to ask you to link your account again.',
    'Toko-toko ini bisa menagih akun OVO kamu saat kamu memilih bayar dengan OVO. Setelah tautan diputus, toko harus meminta kamu menautkan akun lagi.'),
  noMerchants: localized('No shops are linked to your OVO account.', 'Belum ada toko yang tertaut ke akun OVO kamu.'),
  relink: localized('Needs relinking', 'Perlu ditautkan lagi'),
  since: (day: string) => localized(`Linked since ${day}`, `Tertaut sejak ${day}`),
  unlink: (name: string) => localized(`Unlink ${name}`, `Putuskan ${name}`),
  phoneCodeLead: (masked: string) => localized(html`<p class="lead">We sent a 6-digit code by SMS to your new number <strong>${masked}</strong>.</p>`,
    html`<p class="lead">Kami telah mengirim 6 digit kode verifikasi lewat SMS ke nomor baru kamu <strong>${masked}</strong>.</p>`),
  phonePinLead: (phone: string) => localized(html`<p class="lead">Confirm with your PIN to make <strong>${phone}</strong> the phone number of your OVO account.</p>`,
    html`<p class="lead">Konfirmasi dengan PIN kamu untuk menjadikan <strong>${phone}</strong> nomor ponsel akun OVO kamu.</p>`),
  phonePinNote: localized('Every shop linked to your OVO account will ask you to link it again.',
    'Setiap toko yang tertaut ke akun OVO kamu akan meminta kamu menautkan akun lagi.'),
  changePhone: localized('Change phone number', 'Ganti nomor ponsel'),
  phoneLead: (phone: string) => localized(html`<p class="lead">Your OVO phone number is <strong>${phone}</strong>. To move your account to a new number, we send a code to the new number, then you confirm with your PIN.</p>`,
    html`<p class="lead">Nomor ponsel OVO kamu <strong>${phone}</strong>. Untuk memindahkan akun ke nomor baru, kami mengirim kode ke nomor baru itu, lalu kamu konfirmasi dengan PIN.</p>`),
  phoneNote: localized('After the change, every shop linked to your OVO account will ask you to link it again, and you sign in with the new number.',
    'Setelah diganti, setiap toko yang tertaut ke akun OVO kamu akan meminta kamu menautkan akun lagi, dan kamu masuk dengan nomor yang baru.'),
  newPhoneLabel: localized('New phone number', 'Nomor ponsel baru'),
  sendCode: localized('Send code', 'Kirim kode'),
  phoneTitle: localized('Phone number', 'Nomor ponsel'),
  topUpTitle: verbatim('Top up'),
  topUpHeading: verbatim('Top up OVO Cash'),
  topUpSandbox: localized('Sandbox mode: this adds test money to your OVO Cash. No real payment is made.',
    'Mode sandbox: ini menambahkan saldo uji ke OVO Cash kamu. Tidak ada pembayaran sungguhan.'),
  chooseAmount: localized('Choose an amount', 'Pilih jumlah'),
  enterAmount: localized('Or enter an amount', 'Atau masukkan jumlah'),
  amountLabel: localized('Amount (Rp)', 'Jumlah (Rp)'),
  amountHint: (min: string, max: string) => localized(`From ${min} to ${max}.`, `Dari ${min} sampai ${max}.`),
  backHome: localized('Back to home', 'Kembali ke beranda'),
  goToOvo: localized('Go to OVO', 'Buka OVO'),
  refusedTitle: localized('Request refused', 'Permintaan ditolak'),
  refused: localized('This form has expired or did not come from your OVO session. Open OVO again and retry.',
    'Formulir ini sudah kedaluwarsa atau bukan dari sesi OVO kamu. Buka OVO lagi dan coba ulang.'),
};

type Tab = 'home' | 'merchants' | 'phone' | 'topUp';

interface SignedInPage {
  ctx: GatewayContext;
  session: WalletSession;
  wallet: Wallet;
  locale: PageLocale;
}

function walletPage(locale: PageLocale, opts: { title: string; heading: string; body: SafeHtml }): string {
  return renderPage({ ...opts, ...locale, extraStylesheet: WALLET_STYLESHEET_PATH });
}

function message(m: Message, lang: Lang): SafeHtml | '' {
  return m ? notice(m.kind, m.text[lang]) : '';
}

export function renderSignIn(ctx: GatewayContext, locale: PageLocale,
  opts: { csrf: string; phone?: string; error?: Localized; notice?: Message }): string {
  const { lang } = locale;
  const sandbox = ctx.config.sandbox ? notice('info', TEXT.sandboxSignIn[lang]) : '';
  return walletPage(locale, {
    title: TEXT.signInTitle[lang], heading: TEXT.signInHeading[lang],
    body: html`${message(opts.notice, lang)}
<p class="lead">${TEXT.signInLead[lang]}</p>
${postForm(WALLET_PATHS.signIn, opts.csrf, html`${field({
      id: 'phone', name: 'phone', label: TEXT.phoneLabel[lang], type: 'tel', inputmode: 'tel', autocomplete: 'tel-national',
      hint: TEXT.phoneHint[lang],
      placeholder: '0812 3456 7890', value: opts.phone, error: opts.error?.[lang], required: true, maxlength: 20, autofocus: true,
    })}
${button(TEXT.continue[lang])}`)}
${sandbox}`,
  });
}

export function renderSignInCode(ctx: GatewayContext, locale: PageLocale, session: WalletSession, m?: Message): string {
  const { lang } = locale;
  const error = m?.kind === 'error' ? m.text[lang] : undefined;
  const hint = TEXT.codeHint(Math.round(ctx.config.otp_ttl_s / 60))[lang];
  return walletPage(locale, {
    title: TEXT.codeTitle[lang], heading: TEXT.codeHeading[lang],
    body: html`${m && m.kind !== 'error' ? message(m, lang) : ''}
${TEXT.codeLead(maskPhone(session.phone))[lang]}
${postForm(WALLET_PATHS.signInCode, session.challenge.csrfToken, html`${secretField('otp', TEXT.codeLabel[lang], error, hint)}
${button(TEXT.verify[lang])}`)}
${inlineButtonForm(WALLET_PATHS.signInResend, session.challenge.csrfToken, TEXT.resend[lang])}
${sandboxInboxHint(ctx, session.phone, lang)}
${inlineButtonForm(WALLET_PATHS.signInCancel, session.challenge.csrfToken, TEXT.otherNumber[lang])}`,
  });
}

export function renderSignInPin(_ctx: GatewayContext, locale: PageLocale, session: WalletSession, m?: Message): string {
  const { lang } = locale;
  const error = m?.kind === 'error' ? m.text[lang] : undefined;
  return walletPage(locale, {
    title: TEXT.pinTitle[lang], heading: TEXT.pinHeading[lang],
    body: html`${TEXT.pinLead(maskPhone(session.phone))[lang]}
${postForm(WALLET_PATHS.signInPin, session.challenge.csrfToken, html`${secretField('pin', TEXT.pinLabel[lang], error, TEXT.pinHint[lang])}
${button(TEXT.signIn[lang])}`)}
${inlineButtonForm(WALLET_PATHS.signInCancel, session.challenge.csrfToken, TEXT.cancel[lang])}`,
  });
}

// ——— signed in ———

function tabs(p: SignedInPage): Array<[Tab, string, Localized]> {
  return [
    ['home', WALLET_PATHS.home, TEXT.tabHome],
    ['merchants', WALLET_PATHS.merchants, TEXT.tabMerchants],
    ['phone', WALLET_PATHS.phone, TEXT.tabPhone],
    ...(p.ctx.config.sandbox ? [['topUp', WALLET_PATHS.topUp, TEXT.tabTopUp] as [Tab, string, Localized]] : []),
  ];
}

function chrome(p: SignedInPage, active: Tab, content: SafeHtml): SafeHtml {
  const { lang } = p.locale;
  return html`<p class="wallet-who">${p.wallet.name} · ${maskPhone(p.wallet.phone)}</p>
<nav class="wallet-nav" aria-label="${TEXT.navLabel[lang]}">
<ul class="wallet-nav__list">
${tabs(p).map(([tab, href, label]) => html`<li><a class="wallet-nav__link" href="${href}"${tab === active ? html` aria-current="page"` : ''}>${label[lang]}</a></li>
`)}</ul>
</nav>
${content}
<div class="wallet-footer">
${inlineButtonForm(WALLET_PATHS.signOut, p.session.challenge.csrfToken, TEXT.signOut[lang])}
</div>`;
}

function balanceCard(p: SignedInPage, balances: WalletOverview['balances']): SafeHtml {
  const topUp = p.ctx.config.sandbox ? html`<a class="balance-card__action" href="${WALLET_PATHS.topUp}">${TEXT.topUp[p.locale.lang]}</a>` : '';
  return html`<section class="balance-card" aria-labelledby="cash-label">
<h2 class="balance-card__label" id="cash-label">OVO Cash</h2>
<p class="balance-card__amount" data-testid="cash-balance">${formatRupiah(balances.cash)}</p>
<div class="balance-card__row">
<p class="balance-card__points">OVO Points <strong data-testid="points-balance">${formatPoints(balances.points)}</strong></p>
${topUp}
</div>
</section>`;
}

function transactionList(overview: WalletOverview, lang: Lang): SafeHtml {
  if (overview.transactions.length === 0) return html`<p class="empty">${TEXT.noTx[lang]}</p>`;
  return html`<ul class="tx-list">
${overview.transactions.map((tx) => transactionItem(tx, lang))}</ul>`;
}

function transactionPager(overview: WalletOverview, olderPage: boolean, lang: Lang): SafeHtml | false {
  return (overview.olderBefore !== null || olderPage) && html`<nav class="pager" aria-label="${TEXT.pagesLabel[lang]}">
${olderPage ? html`<a href="${WALLET_PATHS.home}">${TEXT.newest[lang]}</a>` : html`<span></span>`}
${overview.olderBefore !== null && html`<a href="${`${WALLET_PATHS.home}?before=${overview.olderBefore}`}" rel="next">${TEXT.olderTx[lang]}</a>`}
</nav>`;
}

export function renderHome(p: SignedInPage, overview: WalletOverview, opts: { flash?: Message; olderPage: boolean }): string {
  const { lang } = p.locale;
  return walletPage(p.locale, {
    title: TEXT.homeTitle[lang], heading: TEXT.hi(firstName(p.wallet.name))[lang],
    body: chrome(p, 'home', html`${message(opts.flash, lang)}
${balanceCard(p, overview.balances)}
<section aria-labelledby="tx-title">
<h2 class="section-title" id="tx-title">${(opts.olderPage ? TEXT.olderTx : TEXT.recentTx)[lang]}</h2>
${transactionList(overview, lang)}
${transactionPager(overview, opts.olderPage, lang)}
</section>`),
  });
}

function transactionItem(tx: WalletTransaction, lang: Lang): SafeHtml {
  const money = tx.currency === 'cash' ? formatRupiah(tx.amount) : TEXT.points(formatPoints(tx.amount))[lang];
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

function merchantItem(p: SignedInPage, m: LinkedMerchant): SafeHtml {
  const { lang } = p.locale;
  return html`<li class="merchant">
<span><span class="merchant__name">${m.name}${!m.usable && html`<span class="badge">${TEXT.relink[lang]}</span>`}</span><span class="merchant__meta">${TEXT.since(formatJakartaDay(m.since, lang))[lang]}</span></span>
${postForm(WALLET_PATHS.unlink, p.session.challenge.csrfToken, html`${hiddenField('merchant_id', m.merchantId)}${button(TEXT.unlink(m.name)[lang], { variant: 'danger' })}`)}
</li>
`;
}

export function renderMerchants(p: SignedInPage, merchants: readonly LinkedMerchant[], flash?: Message): string {
  const { lang } = p.locale;
  return walletPage(p.locale, {
    title: TEXT.merchantsTitle[lang], heading: TEXT.merchantsTitle[lang],
    body: chrome(p, 'merchants', html`${message(flash, lang)}
<p class="lead">${TEXT.merchantsLead[lang]}</p>
${merchants.length === 0
    ? html`<p class="empty">${TEXT.noMerchants[lang]}</p>`
    : html`<ul class="merchant-list">
${merchants.map((m) => merchantItem(p, m))}</ul>`}`),
  });
}

/** Phone change, step 1 of 3: the new number. */
function newPhoneStep(p: SignedInPage, phone: string | undefined, error: string | undefined): SafeHtml {
  const { lang } = p.locale;
  return html`${TEXT.phoneLead(p.wallet.phone)[lang]}
${notice('info', TEXT.phoneNote[lang])}
${postForm(WALLET_PATHS.phone, p.session.challenge.csrfToken, html`${field({
    id: 'phone', name: 'phone', label: TEXT.newPhoneLabel[lang], type: 'tel', inputmode: 'tel', autocomplete: 'tel-national',
    placeholder: '0812 3456 7890', value: phone, error, required: true, maxlength: 20,
  })}
${button(TEXT.sendCode[lang])}`)}`;
}

/** Phone change, step 2 of 3: the code sent to the new number. */
function newPhoneCodeStep(p: SignedInPage, newPhone: string, error: string | undefined): SafeHtml {
  const { session } = p;
  const { lang } = p.locale;
  return html`${TEXT.phoneCodeLead(maskPhone(newPhone))[lang]}
${postForm(WALLET_PATHS.phoneCode, session.challenge.csrfToken, html`${secretField('otp', TEXT.codeLabel[lang], error)}
${button(TEXT.verify[lang])}`)}
${inlineButtonForm(WALLET_PATHS.phoneResend, session.challenge.csrfToken, TEXT.resend[lang])}
${sandboxInboxHint(p.ctx, newPhone, lang)}
${inlineButtonForm(WALLET_PATHS.phoneCancel, session.challenge.csrfToken, TEXT.cancel[lang])}`;
}

/** Phone change, step 3 of 3: the PIN that confirms it. */
function newPhonePinStep(p: SignedInPage, newPhone: string, error: string | undefined): SafeHtml {
  const { session } = p;
  const { lang } = p.locale;
  return html`${TEXT.phonePinLead(newPhone)[lang]}
${notice('info', TEXT.phonePinNote[lang])}
${postForm(WALLET_PATHS.phonePin, session.challenge.csrfToken, html`${secretField('pin', TEXT.pinLabel[lang], error)}
${button(TEXT.changePhone[lang])}`)}
${inlineButtonForm(WALLET_PATHS.phoneCancel, session.challenge.csrfToken, TEXT.cancel[lang])}`;
}

function phoneStep(p: SignedInPage, opts: { phone?: string; error?: Localized }): SafeHtml {
  const { challenge, newPhone } = p.session;
  const changeState = challenge.purpose === 'wallet_phone_change' ? challenge.step : undefined;
  const error = opts.error?.[p.locale.lang];
  if (changeState === 'otp' && newPhone) return newPhoneCodeStep(p, newPhone, error);
  if (changeState === 'pin' && newPhone) return newPhonePinStep(p, newPhone, error);
  return newPhoneStep(p, opts.phone, error);
}

export function renderPhone(p: SignedInPage, opts: { flash?: Message; phone?: string; error?: Localized } = {}): string {
  const { lang } = p.locale;
  return walletPage(p.locale, {
    title: TEXT.phoneTitle[lang], heading: TEXT.changePhone[lang],
    body: chrome(p, 'phone', html`${message(opts.flash, lang)}${phoneStep(p, opts)}`),
  });
}

const QUICK_TOP_UPS = [50_000n, 100_000n, 500_000n] as const;

function amountField(amount: string | undefined, error: string | undefined, lang: Lang): SafeHtml {
  return field({
    id: 'amount', name: 'amount', label: TEXT.amountLabel[lang], type: 'text', inputmode: 'numeric', autocomplete: 'off',
    hint: TEXT.amountHint(formatRupiah(SANDBOX_TOPUP.amount_min), formatRupiah(SANDBOX_TOPUP.amount_max))[lang],
    placeholder: '100000', value: amount, error, required: true, maxlength: 16,
  });
}

export function renderTopUp(p: SignedInPage, opts: { flash?: Message; amount?: string; error?: Localized } = {}): string {
  const { lang } = p.locale;
  const csrf = p.session.challenge.csrfToken;
  return walletPage(p.locale, {
    title: TEXT.topUpTitle[lang], heading: TEXT.topUpHeading[lang],
    body: chrome(p, 'topUp', html`${message(opts.flash, lang)}
${notice('info', TEXT.topUpSandbox[lang])}
<h2 class="section-title">${TEXT.chooseAmount[lang]}</h2>
<div class="quick-amounts">
${QUICK_TOP_UPS.map((amount) => postForm(WALLET_PATHS.topUp, csrf,
    html`${hiddenField('amount', String(amount))}${button(formatRupiah(amount), { variant: 'secondary' })}`))}
</div>
<h2 class="section-title">${TEXT.enterAmount[lang]}</h2>
${postForm(WALLET_PATHS.topUp, csrf, html`${amountField(opts.amount, opts.error?.[lang], lang)}
${button(TEXT.topUp[lang])}`)}
${linkButton(WALLET_PATHS.home, TEXT.backHome[lang])}`),
  });
}

/** The "request refused" page (a form that did not come from the customer's session). */
export function renderWalletRefused(locale: PageLocale): string {
  return renderWalletProblem(locale, TEXT.refusedTitle[locale.lang], TEXT.refused[locale.lang]);
}

export function renderWalletProblem(locale: PageLocale, title: string, text: string): string {
  return walletPage(locale, {
    title, heading: title,
    body: html`${notice('error', text)}${linkButton(WALLET_PATHS.home, TEXT.goToOvo[locale.lang])}`,
  });
}

function firstName(name: string): string {
  return name.trim().split(/\s+/)[0] || name;
}
