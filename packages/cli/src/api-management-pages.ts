/**
 * Where each exchange lets users delete API keys, named after a rotation so the old key gets revoked.
 * @module
 */

/** API management pages by exchange id. */
export const API_MANAGEMENT_PAGES: Readonly<Record<string, string>> = {
  bybit: 'https://www.bybit.com/app/user/api-management',
  binance: 'https://www.binance.com/en/my/settings/api-management',
  okx: 'https://www.okx.com/account/my-api',
};

/** The page, or a generic hint for exchanges without a known page. */
export function apiManagementPage(exchange: string): string {
  return API_MANAGEMENT_PAGES[exchange] ?? `the API management page of your ${exchange} account`;
}
