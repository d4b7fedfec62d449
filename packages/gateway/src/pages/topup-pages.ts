// The top-up instruction pages the Top Up Instruction reply links to (spec §4.6): an index of the five
// options and one step-by-step page per option, in Bahasa Indonesia (default) and English (`?lang=en`).
import type { FastifyInstance, FastifyReply } from 'fastify';
import { localized, otherLang, verbatim, type Lang, type Localized } from '../domain/localized.ts';
import { html, type SafeHtml } from './html.ts';
import { card, notice, pageLang, renderPage } from './layout.ts';
import { findTopupOption, TOPUP_INDEX_PATH, TOPUP_OPTIONS, type TopupOption, type TopupOptionId } from './topup-options.ts';

type Text = Localized | Localized<SafeHtml>;

interface Guide {
  readonly title: Localized;
  readonly intro: Localized;
  /** Show the bank code table (options paid by transfer to the OVO virtual account). */
  readonly virtualAccount?: true;
  readonly sections: readonly { readonly heading: Localized; readonly steps: readonly Text[] }[];
  readonly notes: readonly Text[];
}

/** OVO virtual account = bank code + the phone number registered with OVO. */
const VIRTUAL_ACCOUNT_CODES = [
  { bank: 'BCA', code: '39358' },
  { bank: 'Mandiri', code: '60759' },
  { bank: 'BRI', code: '88898' },
] as const;

/** Faspay's sandbox test phone (spec §6), used in every example. */
const EXAMPLE_PHONE = '081234567890';

const TEXT = {
  notes: localized('Good to know', 'Perlu diketahui'),
  never: localized('OVO never asks for your OVO PIN or one-time code (OTP), whether by phone, text message or chat. Never share them with anyone.',
    'OVO tidak pernah meminta PIN OVO atau kode OTP Anda, baik lewat telepon, SMS maupun chat. Jangan berikan kepada siapa pun.'),
  vaCaption: localized(`OVO virtual account number: bank code (bold) + OVO phone number. Example for ${EXAMPLE_PHONE}:`,
    `Nomor virtual account OVO: kode bank (tebal) + nomor ponsel OVO. Contoh untuk ${EXAMPLE_PHONE}:`),
  vaBank: verbatim('Bank'),
  vaNumber: localized('Virtual account number', 'Nomor virtual account'),
  vaOther: localized('Other banks: find your virtual account number in the Top Up menu of the OVO app.',
    'Bank lain: lihat nomor virtual account di menu Top Up aplikasi OVO.'),
  back: localized('All top-up options', 'Semua cara top up'),
  indexTitle: localized('How to top up your OVO balance', 'Cara isi saldo OVO'),
  indexIntro: localized('Choose the top-up option that suits you best. The money goes to your OVO Cash balance and can be used to pay right away.',
    'Pilih cara top up yang paling mudah untuk Anda. Saldo yang diisi masuk ke OVO Cash dan langsung bisa dipakai untuk membayar.'),
  optionsLabel: localized('Top-up options', 'Cara top up'),
  notFoundTitle: localized('Page not found', 'Halaman tidak ditemukan'),
  notFound: localized('The top-up option you are looking for does not exist.', 'Cara top up yang Anda cari tidak tersedia.'),
};

const GUIDES: Readonly<Record<TopupOptionId, Guide>> = {
  atm: {
    title: localized('Top up OVO at an ATM', 'Isi saldo OVO lewat ATM'),
    intro: localized('Add money to your OVO Cash balance from any bank ATM that supports virtual account payments. Your OVO virtual account number is the bank code followed by the phone number registered with OVO.',
      'Isi saldo OVO Cash dari ATM bank yang mendukung pembayaran ke virtual account. Nomor virtual account OVO Anda adalah kode bank diikuti nomor ponsel yang terdaftar di OVO.'),
    virtualAccount: true,
    sections: [{
      heading: localized('Steps', 'Langkah-langkah'),
      steps: [
        localized('Insert your ATM card, choose a language and enter your ATM PIN.',
          'Masukkan kartu ATM, pilih bahasa, lalu masukkan PIN ATM Anda.'),
        localized('Choose Other Transactions, then Transfer, then To Virtual Account. Menu names differ slightly between banks (at a Mandiri ATM: Pay/Buy, then Multipayment).',
          'Pilih Transaksi Lainnya, lalu Transfer, lalu ke Rekening Virtual Account. Nama menu sedikit berbeda di tiap bank (di ATM Mandiri: Bayar/Beli, lalu Multipayment).'),
        localized(html`Enter your OVO virtual account number: the bank code from the table above followed by your OVO phone number, without spaces. Example for BCA: <code>39358${EXAMPLE_PHONE}</code>.`,
          html`Masukkan nomor virtual account OVO: kode bank dari tabel di atas diikuti nomor ponsel OVO Anda, tanpa spasi. Contoh untuk BCA: <code>39358${EXAMPLE_PHONE}</code>.`),
        localized('Enter the top-up amount, at least Rp 10.000.', 'Masukkan jumlah top up, minimal Rp 10.000.'),
        localized('Check the OVO account holder name and the amount on screen, then choose Correct/Yes to confirm.',
          'Periksa nama pemilik akun OVO dan jumlah yang tampil di layar, lalu pilih Benar/Ya untuk mengonfirmasi.'),
        localized('Keep the ATM receipt. Your OVO Cash balance goes up within moments and the OVO app notifies you.',
          'Simpan struk ATM. Saldo OVO Cash bertambah dalam beberapa saat dan Anda menerima notifikasi di aplikasi OVO.'),
      ],
    }],
    notes: [
      localized('Your bank may charge an admin fee; it is shown before you confirm.',
        'Bank dapat mengenakan biaya administrasi; besarnya ditampilkan sebelum Anda mengonfirmasi.'),
      localized('Your balance after the top-up may not exceed your OVO account limit (OVO Club or OVO Premier).',
        'Saldo setelah top up tidak boleh melebihi batas saldo akun OVO Anda (OVO Club atau OVO Premier).'),
      localized('Bank codes can change. The current virtual account numbers are always listed in the Top Up menu of the OVO app.',
        'Kode bank dapat berubah. Nomor virtual account yang berlaku selalu tercantum di menu Top Up aplikasi OVO.'),
    ],
  },
  'mobile-banking': {
    title: localized('Top up OVO with Internet/Mobile Banking', 'Isi saldo OVO lewat Internet/Mobile Banking'),
    intro: localized('Top up from your bank’s mobile banking app or internet banking site, at any time of day. Use your OVO virtual account number: the bank code followed by your OVO phone number.',
      'Top up dari aplikasi mobile banking atau situs internet banking bank Anda, kapan saja, 24 jam sehari. Gunakan nomor virtual account OVO: kode bank diikuti nomor ponsel OVO Anda.'),
    virtualAccount: true,
    sections: [
      {
        heading: verbatim('Mobile banking'),
        steps: [
          localized('Open your bank’s mobile banking app (for example BCA mobile, Livin’ by Mandiri or BRImo) and sign in.',
            'Buka aplikasi mobile banking bank Anda (misalnya BCA mobile, Livin’ by Mandiri atau BRImo) dan masuk.'),
          localized('Choose Transfer to Virtual Account, or Top Up/E-Wallet and then OVO where available.',
            'Pilih menu Transfer ke Virtual Account, atau menu Top Up/E-Wallet lalu OVO bila tersedia.'),
          localized(html`Enter your OVO virtual account number, for example <code>39358${EXAMPLE_PHONE}</code> for BCA. In the E-Wallet menu your OVO phone number is enough.`,
            html`Masukkan nomor virtual account OVO, misalnya <code>39358${EXAMPLE_PHONE}</code> untuk BCA. Di menu E-Wallet cukup masukkan nomor ponsel OVO Anda.`),
          localized('Enter the top-up amount, at least Rp 10.000.', 'Masukkan jumlah top up, minimal Rp 10.000.'),
          localized('Check the OVO account holder name shown, then confirm with your mobile banking PIN.',
            'Periksa nama pemilik akun OVO yang tampil, lalu konfirmasi dengan PIN mobile banking Anda.'),
          localized('Your OVO Cash balance goes up immediately. The receipt stays in your mobile banking history.',
            'Saldo OVO Cash bertambah seketika. Bukti transaksi tersimpan di riwayat mobile banking.'),
        ],
      },
      {
        heading: verbatim('Internet banking'),
        steps: [
          localized('Sign in to your bank’s internet banking site (for example KlikBCA).',
            'Masuk ke situs internet banking bank Anda (misalnya KlikBCA).'),
          localized('Choose Fund Transfer, then Transfer to Virtual Account (at some banks: Payments, then OVO).',
            'Pilih Transfer Dana, lalu Transfer ke Virtual Account (di sebagian bank: Pembayaran, lalu OVO).'),
          localized('Enter your OVO virtual account number and the top-up amount.',
            'Masukkan nomor virtual account OVO dan jumlah top up.'),
          localized('Check the OVO account holder name, then confirm with the code from your bank’s token or authenticator app.',
            'Periksa nama pemilik akun OVO, lalu konfirmasi dengan kode dari token atau aplikasi otentikasi bank Anda.'),
        ],
      },
    ],
    notes: [
      localized('Your bank may charge an admin fee; it is shown before you confirm.',
        'Bank dapat mengenakan biaya administrasi; besarnya ditampilkan sebelum Anda mengonfirmasi.'),
      localized('Your balance after the top-up may not exceed your OVO account limit.',
        'Saldo setelah top up tidak boleh melebihi batas saldo akun OVO Anda.'),
      localized('Bank codes can change. The current virtual account numbers are always listed in the Top Up menu of the OVO app.',
        'Kode bank dapat berubah. Nomor virtual account yang berlaku selalu tercantum di menu Top Up aplikasi OVO.'),
    ],
  },
  grab: {
    title: localized('Top up OVO through Grab', 'Isi saldo OVO lewat Grab'),
    intro: localized('In Indonesia, GrabPay is powered by OVO: once your Grab account is linked to OVO, you can top up your OVO balance right from the Grab app.',
      'Di Indonesia, GrabPay didukung oleh OVO: bila akun Grab Anda sudah terhubung dengan OVO, saldo OVO bisa diisi langsung dari aplikasi Grab.'),
    sections: [{
      heading: localized('In the Grab app', 'Dari aplikasi Grab'),
      steps: [
        localized('Open the Grab app. Make sure your Grab and OVO accounts use the same phone number and are linked.',
          'Buka aplikasi Grab. Pastikan akun Grab dan akun OVO memakai nomor ponsel yang sama dan sudah terhubung.'),
        localized('Tap your OVO balance on the home screen, or open Payment and choose OVO.',
          'Ketuk saldo OVO di halaman utama, atau buka menu Pembayaran lalu pilih OVO.'),
        localized('Tap Top Up.', 'Ketuk Isi Saldo (Top Up).'),
        localized('Choose one of the funding sources offered, for example a bank transfer to a virtual account or a debit card.',
          'Pilih sumber dana yang tersedia, misalnya transfer bank ke virtual account atau kartu debit.'),
        localized('Enter the top-up amount and follow the payment instructions shown.',
          'Masukkan jumlah top up dan ikuti instruksi pembayaran yang tampil.'),
        localized('Once the payment succeeds, your OVO Cash balance goes up in both the Grab app and the OVO app.',
          'Setelah pembayaran berhasil, saldo OVO Cash bertambah dan tampil di aplikasi Grab maupun aplikasi OVO.'),
      ],
    }],
    notes: [
      localized('Money added through Grab lands in the same OVO Cash balance, so you can pay with it here right away.',
        'Saldo yang diisi lewat Grab adalah saldo OVO Cash yang sama, jadi langsung bisa dipakai untuk membayar di sini.'),
      localized('Fees and minimum amounts depend on the funding source and are shown before you pay.',
        'Biaya dan jumlah minimal tergantung sumber dana yang dipilih dan ditampilkan sebelum Anda membayar.'),
    ],
  },
  tokopedia: {
    title: localized('Top up OVO through Tokopedia', 'Isi saldo OVO lewat Tokopedia'),
    intro: localized('Buying OVO balance on Tokopedia is as easy as buying phone credit, and you pay with any payment method Tokopedia offers.',
      'Beli saldo OVO di Tokopedia semudah membeli pulsa, dan bayar dengan metode pembayaran yang tersedia di Tokopedia.'),
    sections: [{
      heading: localized('Steps', 'Langkah-langkah'),
      steps: [
        localized('Open the Tokopedia app or website and sign in.',
          'Buka aplikasi atau situs Tokopedia dan masuk ke akun Anda.'),
        localized('Choose Top-up & Tagihan (Top-up & Bills), then OVO (under Electronic Money).',
          'Pilih menu Top-up & Tagihan, lalu pilih OVO (di bagian Uang Elektronik).'),
        localized('Enter the phone number registered with OVO.', 'Masukkan nomor ponsel yang terdaftar di OVO.'),
        localized('Choose the top-up amount.', 'Pilih nominal top up.'),
        localized('Tap Buy, choose a payment method (for example a bank transfer or virtual account) and complete the payment.',
          'Ketuk Beli, pilih metode pembayaran (misalnya transfer bank atau virtual account), lalu selesaikan pembayaran.'),
        localized('Your OVO Cash balance goes up once the payment succeeds, and OVO sends you a notification.',
          'Saldo OVO Cash bertambah setelah pembayaran berhasil, dan Anda menerima notifikasi dari OVO.'),
      ],
    }],
    notes: [
      localized('Tokopedia may charge a service fee; it is shown before you pay.',
        'Tokopedia dapat mengenakan biaya layanan; besarnya ditampilkan sebelum Anda membayar.'),
      localized('Double-check the phone number: money sent to the wrong number cannot be pulled back.',
        'Periksa kembali nomor ponsel: saldo yang terkirim ke nomor yang salah tidak dapat ditarik kembali.'),
    ],
  },
  'ovo-merchant': {
    title: localized('Top up OVO at an OVO Merchant/Mitra OVO', 'Isi saldo OVO di Merchant/Mitra OVO'),
    intro: localized('Top up with cash at the till of an OVO partner merchant, or at a Mitra OVO shop or kiosk showing a “Top Up OVO here” sign.',
      'Top up tunai di kasir merchant rekanan OVO, atau di warung dan toko Mitra OVO yang memasang tanda “Top Up OVO di sini”.'),
    sections: [{
      heading: localized('Steps', 'Langkah-langkah'),
      steps: [
        localized('Go to the cashier of a merchant or Mitra OVO that offers OVO top-ups.',
          'Datangi kasir merchant atau Mitra OVO yang melayani top up OVO.'),
        localized('Tell the cashier you want to top up OVO and give the phone number registered with OVO.',
          'Katakan kepada kasir bahwa Anda ingin top up OVO, lalu sebutkan nomor ponsel yang terdaftar di OVO.'),
        localized('Say how much you want to add (at least Rp 20.000) and pay the cashier in cash.',
          'Sebutkan jumlah top up (minimal Rp 20.000) dan bayar tunai ke kasir.'),
        localized('Check the phone number and amount the cashier entered before the transaction goes through.',
          'Periksa nomor ponsel dan jumlah yang dimasukkan kasir sebelum transaksi diproses.'),
        localized('Keep the receipt. Your OVO Cash balance goes up and the OVO app notifies you.',
          'Simpan struk. Saldo OVO Cash bertambah dan Anda menerima notifikasi di aplikasi OVO.'),
      ],
    }],
    notes: [
      localized('A cashier never needs your OVO PIN or one-time code (OTP).',
        'Kasir tidak pernah membutuhkan PIN OVO atau kode OTP Anda.'),
      localized('The merchant may charge a service fee; ask before you pay.',
        'Merchant dapat mengenakan biaya layanan; tanyakan sebelum membayar.'),
    ],
  },
};

function withLang(path: string, lang: Lang): string {
  return lang === 'en' ? `${path}?lang=en` : path;
}

function icon(option: TopupOption): SafeHtml {
  // Decorative: the option's name is always printed next to it.
  return html`<img class="option-icon" src="${option.iconPath}" alt="" width="48" height="48">`;
}

function virtualAccountTable(lang: Lang): SafeHtml {
  return html`<div class="table-wrap"><table class="table">
<caption>${TEXT.vaCaption[lang]}</caption>
<thead><tr><th scope="col">${TEXT.vaBank[lang]}</th><th scope="col">${TEXT.vaNumber[lang]}</th></tr></thead>
<tbody>
${VIRTUAL_ACCOUNT_CODES.map((v) => html`<tr><th scope="row">${v.bank}</th><td class="va"><strong>${v.code}</strong>${EXAMPLE_PHONE}</td></tr>
`)}</tbody>
</table></div>
<p class="lead">${TEXT.vaOther[lang]}</p>`;
}

function renderIndex(lang: Lang): string {
  const body = html`<p class="lead">${TEXT.indexIntro[lang]}</p>
<nav aria-label="${TEXT.optionsLabel[lang]}">
<ul class="option-list">
${TOPUP_OPTIONS.map((o) => html`<li><a class="option-link" href="${withLang(o.pagePath, lang)}">${icon(o)}<span>${o.option}</span></a></li>
`)}</ul>
</nav>
${notice('info', TEXT.never[lang])}`;
  const title = TEXT.indexTitle[lang];
  return renderPage({
    title, lang, heading: title, body,
    langSwitch: { href: withLang(TOPUP_INDEX_PATH, otherLang(lang)) },
  });
}

function guideSteps(guide: Guide, lang: Lang): SafeHtml {
  return html`${guide.sections.map((s) => html`<h2>${s.heading[lang]}</h2>
<ol class="steps">
${s.steps.map((step) => html`<li>${step[lang]}</li>
`)}</ol>
`)}`;
}

function guideNotes(guide: Guide, lang: Lang): SafeHtml {
  return card(html`<ul class="notes">
${guide.notes.map((n) => html`<li>${n[lang]}</li>
`)}</ul>`, { title: TEXT.notes[lang] });
}

function renderOption(option: TopupOption, lang: Lang): string {
  const guide = GUIDES[option.id];
  const title = guide.title[lang];
  const body = html`<div class="option-head">${icon(option)}<h1 class="page__title">${title}</h1></div>
<p class="lead">${guide.intro[lang]}</p>
${guide.virtualAccount && virtualAccountTable(lang)}
${guideSteps(guide, lang)}${guideNotes(guide, lang)}
${notice('info', TEXT.never[lang])}
<a class="back-link" href="${withLang(TOPUP_INDEX_PATH, lang)}">← ${TEXT.back[lang]}</a>`;
  return renderPage({
    title, lang, body,
    langSwitch: { href: withLang(option.pagePath, otherLang(lang)) },
  });
}

function renderNotFound(lang: Lang): string {
  const body = html`${notice('error', TEXT.notFound[lang])}
<a class="back-link" href="${withLang(TOPUP_INDEX_PATH, lang)}">← ${TEXT.back[lang]}</a>`;
  const title = TEXT.notFoundTitle[lang];
  return renderPage({ title, lang, heading: title, body });
}

function sendHtml(reply: FastifyReply, status: number, lang: Lang, page: string): FastifyReply {
  return reply.code(status).type('text/html; charset=utf-8').header('content-language', lang).send(page);
}

interface LangQuery {
  Querystring: { lang?: unknown };
}

/** Serves `GET /topup` and `GET /topup/:option` (`?lang=en` for English; anything else is Indonesian). */
export function registerTopupPages(app: FastifyInstance): void {
  app.get<LangQuery>(TOPUP_INDEX_PATH, async (request, reply) => {
    const lang = pageLang(request.query.lang);
    return sendHtml(reply, 200, lang, renderIndex(lang));
  });
  app.get<LangQuery & { Params: { option: string } }>(`${TOPUP_INDEX_PATH}/:option`, async (request, reply) => {
    const lang = pageLang(request.query.lang);
    const option = findTopupOption(request.params.option);
    if (option === undefined) return sendHtml(reply, 404, lang, renderNotFound(lang));
    return sendHtml(reply, 200, lang, renderOption(option, lang));
  });
}
