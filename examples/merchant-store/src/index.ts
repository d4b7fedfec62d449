// The example shop as a library: `startMerchantStore` for tests and `ovo-tokenize demo`; `main.ts` runs it.
export { startMerchantStore, SHOP_PATHS, type MerchantStore, type MerchantStoreOptions, type ShopEvent } from './server.ts';
export { CATALOG, findProduct, type Product } from './catalog.ts';
export { ORDER_STATUS_TEXT, type Customer, type Order, type OrderStatus } from './state.ts';
export { PAY_TYPE_LABELS, groupDigits, rupiah, jakartaDate, maskPhone } from './format.ts';
