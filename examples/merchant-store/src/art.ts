// Line drawings for the menu, inline SVG so the shop serves no image files and needs no emoji font.
import { Html } from './html.ts';

const stroke = 'fill="none" stroke="currentColor" stroke-width="3" stroke-linecap="round" stroke-linejoin="round"';

export const ART = {
  icedCoffee: `<path d="M18 20h28l-4 36H22z" ${stroke}/><path d="M20 34c8 3 16-3 24 0" ${stroke}/><path d="M34 20l6-12h6" ${stroke}/><path d="M15 20h34" ${stroke}/>`,
  toast: `<path d="M14 30c-4-14 40-14 36 0-1 3-4 4-4 4v20H18V34s-3-1-4-4z" ${stroke}/><path d="M26 42h12M26 48h8" ${stroke}/>`,
  beans: `<ellipse cx="24" cy="34" rx="10" ry="14" transform="rotate(-25 24 34)" ${stroke}/><path d="M19 22c6 6 2 18 10 24" ${stroke}/><ellipse cx="44" cy="30" rx="9" ry="12" transform="rotate(20 44 30)" ${stroke}/><path d="M47 19c-6 5-2 17-6 22" ${stroke}/>`,
  tumbler: `<rect x="22" y="16" width="20" height="40" rx="5" ${stroke}/><path d="M20 16h24M26 10h12v6" ${stroke}/><path d="M22 28h20" ${stroke}/>`,
} as const;

export type ArtName = keyof typeof ART;

export function art(name: ArtName): Html {
  return new Html(`<svg viewBox="0 0 64 64" width="56" height="56" aria-hidden="true" focusable="false">${ART[name]}</svg>`);
}
