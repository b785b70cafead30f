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
 * KuCoin's permission table, keyed in lower case (names match case-insensitively: KuCoin answers
 * `General`, and takes `general` when keys are created). `General` only reads. Spot, margin and
 * futures trading, and subscribing to or redeeming Earn products, trade. `InnerTransfer` moves
 * funds between the user's own accounts, and `Transfer`/`FlexTransfers` between the master account
 * and its sub-accounts: transfers, not payouts. `Withdrawal` withdraws.
 */
export const KUCOIN_PERMISSIONS: PermissionTable = {
  general: { class: 'read', doc: API_KEY_DOC },
  spot: { class: 'trade', doc: API_KEY_DOC },
  margin: { class: 'trade', doc: API_KEY_DOC },
  futures: { class: 'trade', doc: API_KEY_DOC },
  earn: { class: 'trade', doc: API_KEY_DOC },
  innertransfer: { class: 'transfer', doc: API_KEY_DOC },
  transfer: { class: 'transfer', doc: API_KEY_DOC },
  flextransfers: { class: 'transfer', doc: PERMISSIONS_DOC },
  withdrawal: { class: 'withdraw', doc: PERMISSIONS_DOC },
};
