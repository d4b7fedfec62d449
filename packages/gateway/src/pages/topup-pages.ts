// The top-up instruction pages the Top Up Instruction reply links to (spec §4.6): an index of the five
// options and one step-by-step page per option, in Bahasa Indonesia (default) and English (`?lang=en`).
import type { FastifyInstance, FastifyReply } from 'fastify';
import { html, type SafeHtml } from './html.ts';
import { card, notice, pageLang, renderPage, type PageLang } from './layout.ts';
import { findTopupOption, TOPUP_INDEX_PATH, TOPUP_OPTIONS, type TopupOption, type TopupOptionId } from './topup-options.ts';

type Text = string | SafeHtml;

interface Guide {
  readonly title: string;
  readonly intro: string;
  /** Show the bank code table (options paid by transfer to the OVO virtual account). */
  readonly virtualAccount?: true;
  readonly sections: readonly { readonly heading: string; readonly steps: readonly Text[] }[];
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

const COMMON = {
  id: {
    notes: 'Perlu diketahui',
    never: 'OVO tidak pernah meminta PIN OVO atau kode OTP Anda, baik lewat telepon, SMS maupun chat. Jangan berikan kepada siapa pun.',
    vaCaption: `Nomor virtual account OVO: kode bank (tebal) + nomor ponsel OVO. Contoh untuk ${EXAMPLE_PHONE}:`,
    vaBank: 'Bank',
    vaNumber: 'Nomor virtual account',
    vaOther: 'Bank lain: lihat nomor virtual account di menu Top Up aplikasi OVO.',
    back: 'Semua cara top up',
    indexTitle: 'Cara isi saldo OVO',
    indexIntro: 'Pilih cara top up yang paling mudah untuk Anda. Saldo yang diisi masuk ke OVO Cash dan langsung bisa dipakai untuk membayar.',
    optionsLabel: 'Cara top up',
    notFoundTitle: 'Halaman tidak ditemukan',
    notFound: 'Cara top up yang Anda cari tidak tersedia.',
  },
  en: {
    notes: 'Good to know',
    never: 'OVO never asks for your OVO PIN or one-time code (OTP), whether by phone, text message or chat. Never share them with anyone.',
    vaCaption: `OVO virtual account number: bank code (bold) + OVO phone number. Example for ${EXAMPLE_PHONE}:`,
    vaBank: 'Bank',
    vaNumber: 'Virtual account number',
    vaOther: 'Other banks: find your virtual account number in the Top Up menu of the OVO app.',
    back: 'All top-up options',
    indexTitle: 'How to top up your OVO balance',
    indexIntro: 'Choose the top-up option that suits you best. The money goes to your OVO Cash balance and can be used to pay right away.',
    optionsLabel: 'Top-up options',
    notFoundTitle: 'Page not found',
    notFound: 'The top-up option you are looking for does not exist.',
  },
} as const;

const GUIDES: Readonly<Record<TopupOptionId, Readonly<Record<PageLang, Guide>>>> = {
  atm: {
    id: {
      title: 'Isi saldo OVO lewat ATM',
      intro: 'Isi saldo OVO Cash dari ATM bank yang mendukung pembayaran ke virtual account. Nomor virtual account OVO Anda adalah kode bank diikuti nomor ponsel yang terdaftar di OVO.',
      virtualAccount: true,
      sections: [{
        heading: 'Langkah-langkah',
        steps: [
          'Masukkan kartu ATM, pilih bahasa, lalu masukkan PIN ATM Anda.',
          'Pilih Transaksi Lainnya, lalu Transfer, lalu ke Rekening Virtual Account. Nama menu sedikit berbeda di tiap bank (di ATM Mandiri: Bayar/Beli, lalu Multipayment).',
          html`Masukkan nomor virtual account OVO: kode bank dari tabel di atas diikuti nomor ponsel OVO Anda, tanpa spasi. Contoh untuk BCA: <code>39358${EXAMPLE_PHONE}</code>.`,
          'Masukkan jumlah top up, minimal Rp 10.000.',
          'Periksa nama pemilik akun OVO dan jumlah yang tampil di layar, lalu pilih Benar/Ya untuk mengonfirmasi.',
          'Simpan struk ATM. Saldo OVO Cash bertambah dalam beberapa saat dan Anda menerima notifikasi di aplikasi OVO.',
        ],
      }],
      notes: [
        'Bank dapat mengenakan biaya administrasi; besarnya ditampilkan sebelum Anda mengonfirmasi.',
        'Saldo setelah top up tidak boleh melebihi batas saldo akun OVO Anda (OVO Club atau OVO Premier).',
        'Kode bank dapat berubah. Nomor virtual account yang berlaku selalu tercantum di menu Top Up aplikasi OVO.',
      ],
    },
    en: {
      title: 'Top up OVO at an ATM',
      intro: 'Add money to your OVO Cash balance from any bank ATM that supports virtual account payments. Your OVO virtual account number is the bank code followed by the phone number registered with OVO.',
      virtualAccount: true,
      sections: [{
        heading: 'Steps',
        steps: [
          'Insert your ATM card, choose a language and enter your ATM PIN.',
          'Choose Other Transactions, then Transfer, then To Virtual Account. Menu names differ slightly between banks (at a Mandiri ATM: Pay/Buy, then Multipayment).',
          html`Enter your OVO virtual account number: the bank code from the table above followed by your OVO phone number, without spaces. Example for BCA: <code>39358${EXAMPLE_PHONE}</code>.`,
          'Enter the top-up amount, at least Rp 10.000.',
          'Check the OVO account holder name and the amount on screen, then choose Correct/Yes to confirm.',
          'Keep the ATM receipt. Your OVO Cash balance goes up within moments and the OVO app notifies you.',
        ],
      }],
      notes: [
        'Your bank may charge an admin fee; it is shown before you confirm.',
        'Your balance after the top-up may not exceed your OVO account limit (OVO Club or OVO Premier).',
        'Bank codes can change. The current virtual account numbers are always listed in the Top Up menu of the OVO app.',
      ],
    },
  },
  'mobile-banking': {
    id: {
      title: 'Isi saldo OVO lewat Internet/Mobile Banking',
      intro: 'Top up dari aplikasi mobile banking atau situs internet banking bank Anda, kapan saja, 24 jam sehari. Gunakan nomor virtual account OVO: kode bank diikuti nomor ponsel OVO Anda.',
      virtualAccount: true,
      sections: [
        {
          heading: 'Mobile banking',
          steps: [
            'Buka aplikasi mobile banking bank Anda (misalnya BCA mobile, Livin’ by Mandiri atau BRImo) dan masuk.',
            'Pilih menu Transfer ke Virtual Account, atau menu Top Up/E-Wallet lalu OVO bila tersedia.',
            html`Masukkan nomor virtual account OVO, misalnya <code>39358${EXAMPLE_PHONE}</code> untuk BCA. Di menu E-Wallet cukup masukkan nomor ponsel OVO Anda.`,
            'Masukkan jumlah top up, minimal Rp 10.000.',
            'Periksa nama pemilik akun OVO yang tampil, lalu konfirmasi dengan PIN mobile banking Anda.',
            'Saldo OVO Cash bertambah seketika. Bukti transaksi tersimpan di riwayat mobile banking.',
          ],
        },
        {
          heading: 'Internet banking',
          steps: [
            'Masuk ke situs internet banking bank Anda (misalnya KlikBCA).',
            'Pilih Transfer Dana, lalu Transfer ke Virtual Account (di sebagian bank: Pembayaran, lalu OVO).',
            'Masukkan nomor virtual account OVO dan jumlah top up.',
            'Periksa nama pemilik akun OVO, lalu konfirmasi dengan kode dari token atau aplikasi otentikasi bank Anda.',
          ],
        },
      ],
      notes: [
        'Bank dapat mengenakan biaya administrasi; besarnya ditampilkan sebelum Anda mengonfirmasi.',
        'Saldo setelah top up tidak boleh melebihi batas saldo akun OVO Anda.',
        'Kode bank dapat berubah. Nomor virtual account yang berlaku selalu tercantum di menu Top Up aplikasi OVO.',
      ],
    },
    en: {
      title: 'Top up OVO with Internet/Mobile Banking',
      intro: 'Top up from your bank’s mobile banking app or internet banking site, at any time of day. Use your OVO virtual account number: the bank code followed by your OVO phone number.',
      virtualAccount: true,
      sections: [
        {
          heading: 'Mobile banking',
          steps: [
            'Open your bank’s mobile banking app (for example BCA mobile, Livin’ by Mandiri or BRImo) and sign in.',
            'Choose Transfer to Virtual Account, or Top Up/E-Wallet and then OVO where available.',
            html`Enter your OVO virtual account number, for example <code>39358${EXAMPLE_PHONE}</code> for BCA. In the E-Wallet menu your OVO phone number is enough.`,
            'Enter the top-up amount, at least Rp 10.000.',
            'Check the OVO account holder name shown, then confirm with your mobile banking PIN.',
            'Your OVO Cash balance goes up immediately. The receipt stays in your mobile banking history.',
          ],
        },
        {
          heading: 'Internet banking',
          steps: [
            'Sign in to your bank’s internet banking site (for example KlikBCA).',
            'Choose Fund Transfer, then Transfer to Virtual Account (at some banks: Payments, then OVO).',
            'Enter your OVO virtual account number and the top-up amount.',
            'Check the OVO account holder name, then confirm with the code from your bank’s token or authenticator app.',
          ],
        },
      ],
      notes: [
        'Your bank may charge an admin fee; it is shown before you confirm.',
        'Your balance after the top-up may not exceed your OVO account limit.',
        'Bank codes can change. The current virtual account numbers are always listed in the Top Up menu of the OVO app.',
      ],
    },
  },
  grab: {
    id: {
      title: 'Isi saldo OVO lewat Grab',
      intro: 'Di Indonesia, GrabPay didukung oleh OVO: bila akun Grab Anda sudah terhubung dengan OVO, saldo OVO bisa diisi langsung dari aplikasi Grab.',
      sections: [{
        heading: 'Dari aplikasi Grab',
        steps: [
          'Buka aplikasi Grab. Pastikan akun Grab dan akun OVO memakai nomor ponsel yang sama dan sudah terhubung.',
          'Ketuk saldo OVO di halaman utama, atau buka menu Pembayaran lalu pilih OVO.',
          'Ketuk Isi Saldo (Top Up).',
          'Pilih sumber dana yang tersedia, misalnya transfer bank ke virtual account atau kartu debit.',
          'Masukkan jumlah top up dan ikuti instruksi pembayaran yang tampil.',
          'Setelah pembayaran berhasil, saldo OVO Cash bertambah dan tampil di aplikasi Grab maupun aplikasi OVO.',
        ],
      }],
      notes: [
        'Saldo yang diisi lewat Grab adalah saldo OVO Cash yang sama, jadi langsung bisa dipakai untuk membayar di sini.',
        'Biaya dan jumlah minimal tergantung sumber dana yang dipilih dan ditampilkan sebelum Anda membayar.',
      ],
    },
    en: {
      title: 'Top up OVO through Grab',
      intro: 'In Indonesia, GrabPay is powered by OVO: once your Grab account is linked to OVO, you can top up your OVO balance right from the Grab app.',
      sections: [{
        heading: 'In the Grab app',
        steps: [
          'Open the Grab app. Make sure your Grab and OVO accounts use the same phone number and are linked.',
          'Tap your OVO balance on the home screen, or open Payment and choose OVO.',
          'Tap Top Up.',
          'Choose one of the funding sources offered, for example a bank transfer to a virtual account or a debit card.',
          'Enter the top-up amount and follow the payment instructions shown.',
          'Once the payment succeeds, your OVO Cash balance goes up in both the Grab app and the OVO app.',
        ],
      }],
      notes: [
        'Money added through Grab lands in the same OVO Cash balance, so you can pay with it here right away.',
        'Fees and minimum amounts depend on the funding source and are shown before you pay.',
      ],
    },
  },
  tokopedia: {
    id: {
      title: 'Isi saldo OVO lewat Tokopedia',
      intro: 'Beli saldo OVO di Tokopedia semudah membeli pulsa, dan bayar dengan metode pembayaran yang tersedia di Tokopedia.',
      sections: [{
        heading: 'Langkah-langkah',
        steps: [
          'Buka aplikasi atau situs Tokopedia dan masuk ke akun Anda.',
          'Pilih menu Top-up & Tagihan, lalu pilih OVO (di bagian Uang Elektronik).',
          'Masukkan nomor ponsel yang terdaftar di OVO.',
          'Pilih nominal top up.',
          'Ketuk Beli, pilih metode pembayaran (misalnya transfer bank atau virtual account), lalu selesaikan pembayaran.',
          'Saldo OVO Cash bertambah setelah pembayaran berhasil, dan Anda menerima notifikasi dari OVO.',
        ],
      }],
      notes: [
        'Tokopedia dapat mengenakan biaya layanan; besarnya ditampilkan sebelum Anda membayar.',
        'Periksa kembali nomor ponsel: saldo yang terkirim ke nomor yang salah tidak dapat ditarik kembali.',
      ],
    },
    en: {
      title: 'Top up OVO through Tokopedia',
      intro: 'Buying OVO balance on Tokopedia is as easy as buying phone credit, and you pay with any payment method Tokopedia offers.',
      sections: [{
        heading: 'Steps',
        steps: [
          'Open the Tokopedia app or website and sign in.',
          'Choose Top-up & Tagihan (Top-up & Bills), then OVO (under Electronic Money).',
          'Enter the phone number registered with OVO.',
          'Choose the top-up amount.',
          'Tap Buy, choose a payment method (for example a bank transfer or virtual account) and complete the payment.',
          'Your OVO Cash balance goes up once the payment succeeds, and OVO sends you a notification.',
        ],
      }],
      notes: [
        'Tokopedia may charge a service fee; it is shown before you pay.',
        'Double-check the phone number: money sent to the wrong number cannot be pulled back.',
      ],
    },
  },
  'ovo-merchant': {
    id: {
      title: 'Isi saldo OVO di Merchant/Mitra OVO',
      intro: 'Top up tunai di kasir merchant rekanan OVO, atau di warung dan toko Mitra OVO yang memasang tanda “Top Up OVO di sini”.',
      sections: [{
        heading: 'Langkah-langkah',
        steps: [
          'Datangi kasir merchant atau Mitra OVO yang melayani top up OVO.',
          'Katakan kepada kasir bahwa Anda ingin top up OVO, lalu sebutkan nomor ponsel yang terdaftar di OVO.',
          'Sebutkan jumlah top up (minimal Rp 20.000) dan bayar tunai ke kasir.',
          'Periksa nomor ponsel dan jumlah yang dimasukkan kasir sebelum transaksi diproses.',
          'Simpan struk. Saldo OVO Cash bertambah dan Anda menerima notifikasi di aplikasi OVO.',
        ],
      }],
      notes: [
        'Kasir tidak pernah membutuhkan PIN OVO atau kode OTP Anda.',
        'Merchant dapat mengenakan biaya layanan; tanyakan sebelum membayar.',
      ],
    },
    en: {
      title: 'Top up OVO at an OVO Merchant/Mitra OVO',
      intro: 'Top up with cash at the till of an OVO partner merchant, or at a Mitra OVO shop or kiosk showing a “Top Up OVO here” sign.',
      sections: [{
        heading: 'Steps',
        steps: [
          'Go to the cashier of a merchant or Mitra OVO that offers OVO top-ups.',
          'Tell the cashier you want to top up OVO and give the phone number registered with OVO.',
          'Say how much you want to add (at least Rp 20.000) and pay the cashier in cash.',
          'Check the phone number and amount the cashier entered before the transaction goes through.',
          'Keep the receipt. Your OVO Cash balance goes up and the OVO app notifies you.',
        ],
      }],
      notes: [
        'A cashier never needs your OVO PIN or one-time code (OTP).',
        'The merchant may charge a service fee; ask before you pay.',
      ],
    },
  },
};

function withLang(path: string, lang: PageLang): string {
  return lang === 'en' ? `${path}?lang=en` : path;
}

function otherLang(lang: PageLang): PageLang {
  return lang === 'en' ? 'id' : 'en';
}

function icon(option: TopupOption): SafeHtml {
  // Decorative: the option's name is always printed next to it.
  return html`<img class="option-icon" src="${option.iconPath}" alt="" width="48" height="48">`;
}

function virtualAccountTable(lang: PageLang): SafeHtml {
  const t = COMMON[lang];
  return html`<div class="table-wrap"><table class="table">
<caption>${t.vaCaption}</caption>
<thead><tr><th scope="col">${t.vaBank}</th><th scope="col">${t.vaNumber}</th></tr></thead>
<tbody>
${VIRTUAL_ACCOUNT_CODES.map((v) => html`<tr><th scope="row">${v.bank}</th><td class="va"><strong>${v.code}</strong>${EXAMPLE_PHONE}</td></tr>
`)}</tbody>
</table></div>
<p class="lead">${t.vaOther}</p>`;
}

function renderIndex(lang: PageLang): string {
  const t = COMMON[lang];
  const body = html`<p class="lead">${t.indexIntro}</p>
<nav aria-label="${t.optionsLabel}">
<ul class="option-list">
${TOPUP_OPTIONS.map((o) => html`<li><a class="option-link" href="${withLang(o.pagePath, lang)}">${icon(o)}<span>${o.option}</span></a></li>
`)}</ul>
</nav>
${notice('info', t.never)}`;
  return renderPage({
    title: t.indexTitle, lang, heading: t.indexTitle, body,
    langSwitch: { href: withLang(TOPUP_INDEX_PATH, otherLang(lang)) },
  });
}

function renderOption(option: TopupOption, lang: PageLang): string {
  const t = COMMON[lang];
  const guide = GUIDES[option.id][lang];
  const body = html`<div class="option-head">${icon(option)}<h1 class="page__title">${guide.title}</h1></div>
<p class="lead">${guide.intro}</p>
${guide.virtualAccount && virtualAccountTable(lang)}
${guide.sections.map((s) => html`<h2>${s.heading}</h2>
<ol class="steps">
${s.steps.map((step) => html`<li>${step}</li>
`)}</ol>
`)}${card(html`<ul class="notes">
${guide.notes.map((n) => html`<li>${n}</li>
`)}</ul>`, { title: t.notes })}
${notice('info', t.never)}
<a class="back-link" href="${withLang(TOPUP_INDEX_PATH, lang)}">← ${t.back}</a>`;
  return renderPage({
    title: guide.title, lang, body,
    langSwitch: { href: withLang(option.pagePath, otherLang(lang)) },
  });
}

function renderNotFound(lang: PageLang): string {
  const t = COMMON[lang];
  const body = html`${notice('error', t.notFound)}
<a class="back-link" href="${withLang(TOPUP_INDEX_PATH, lang)}">← ${t.back}</a>`;
  return renderPage({ title: t.notFoundTitle, lang, heading: t.notFoundTitle, body });
}

function sendHtml(reply: FastifyReply, status: number, lang: PageLang, page: string): FastifyReply {
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
