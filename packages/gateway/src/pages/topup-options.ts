// The five ways to top up an OVO balance, in the guide's order (spec §4.6). The Top Up Instruction API
// reply, the icons and the instruction pages are all derived from this one list.

export const TOPUP_OPTIONS = [
  { id: 'atm', option: 'ATM', iconPath: '/assets/topup/atm.svg', pagePath: '/topup/atm' },
  {
    id: 'mobile-banking',
    option: 'Internet/Mobile Banking',
    iconPath: '/assets/topup/mobile-banking.svg',
    pagePath: '/topup/mobile-banking',
  },
  { id: 'grab', option: 'Grab', iconPath: '/assets/topup/grab.svg', pagePath: '/topup/grab' },
  { id: 'tokopedia', option: 'Tokopedia', iconPath: '/assets/topup/tokopedia.svg', pagePath: '/topup/tokopedia' },
  {
    id: 'ovo-merchant',
    option: 'Merchant/Mitra OVO',
    iconPath: '/assets/topup/ovo-merchant.svg',
    pagePath: '/topup/ovo-merchant',
  },
] as const;

export type TopupOption = (typeof TOPUP_OPTIONS)[number];
export type TopupOptionId = TopupOption['id'];

export const TOPUP_INDEX_PATH = '/topup';

export function findTopupOption(id: string): TopupOption | undefined {
  return TOPUP_OPTIONS.find((o) => o.id === id);
}

/** One `instruction_N` of the Top Up Instruction reply. */
export interface TopupInstructionEntry {
  readonly option: string;
  readonly icon: string;
  readonly url: string;
}

/**
 * The reply's `instruction_1…5`, in order, with absolute URLs under the gateway's public base URL (which may
 * carry a path prefix, e.g. `https://gw.example/ovo`).
 */
export function topupInstructionEntries(publicUrl: string): TopupInstructionEntry[] {
  const base = new URL(publicUrl);
  if (base.protocol !== 'https:' && base.protocol !== 'http:') {
    throw new TypeError(`public URL must be http(s), got ${base.protocol}`);
  }
  const prefix = base.origin + base.pathname.replace(/\/+$/, '');
  return TOPUP_OPTIONS.map((o) => ({ option: o.option, icon: prefix + o.iconPath, url: prefix + o.pagePath }));
}
