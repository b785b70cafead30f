/**
 * Every permission KuCoin documents for API keys, as `GET /api/v1/user/api-key` spells it in its
 * `permission` string, with its class and the page that documents it. The audit is an allow-list:
 * a name missing here is `unknown`.
 * @module
 */
import type { PermissionTable } from '@exkeys/credentials/exchange';

/** Get Apikey Info: "possible values: General, Spot, Margin, Futures, InnerTransfer, Transfer, Earn". */
export const API_KEY_DOC =
  'https://www.kucoin.com/docs-new/rest/account-info/account-funding/get-apikey-info';
/** The API-permission introduction, which also lists `Withdrawal` and `FlexTransfers`. */
export const PERMISSIONS_DOC = 'https://www.kucoin.com/docs-new/doc-338144';
/**
 * KuCoin's API-key guide: "Transfer - Allows a key to transfer funds (including deposit and
 * withdrawal) … API key transfers WILL BYPASS two-factor authentication".
 */
export const TRANSFER_DOC = 'https://www.kucoin.com/support/900006465403';

/**
 * KuCoin's permission table, keyed in lower case (names match case-insensitively: KuCoin answers
 * `General`, and takes `general` when keys are created). `General` only reads. Spot, margin and
 * futures trading, and subscribing to or redeeming Earn products, trade. `InnerTransfer` moves
 * funds between the user's own accounts and `FlexTransfers` between them and the master account's
 * sub-accounts: transfers. `Withdrawal` withdraws, and so may `Transfer`: KuCoin's key guide says it
 * covers "deposit and withdrawal" without two-factor authentication, so exkeys counts it as a
 * withdraw permission.
 */
export const KUCOIN_PERMISSIONS: PermissionTable = {
  general: { class: 'read', doc: API_KEY_DOC },
  spot: { class: 'trade', doc: API_KEY_DOC },
  margin: { class: 'trade', doc: API_KEY_DOC },
  futures: { class: 'trade', doc: API_KEY_DOC },
  earn: { class: 'trade', doc: API_KEY_DOC },
  innertransfer: { class: 'transfer', doc: API_KEY_DOC },
  transfer: { class: 'withdraw', doc: TRANSFER_DOC },
  flextransfers: { class: 'transfer', doc: PERMISSIONS_DOC },
  withdrawal: { class: 'withdraw', doc: PERMISSIONS_DOC },
};
