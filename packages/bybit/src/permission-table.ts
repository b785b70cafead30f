/**
 * Every permission Bybit documents for `GET /v5/user/query-api`, as `Group.Value`, with its class
 * and the page that documents it. The audit is an allow-list: a name missing here is `unknown`.
 * @module
 */
import type { PermissionTable } from '@exkeys/credentials/exchange';

const DOCS = 'https://bybit-exchange.github.io/docs';
/** Get API Key Information: the response lists every group and its values. */
export const QUERY_API_DOC = `${DOCS}/v5/user/apikey-info`;
/** Modify Master API Key: the request lists the values a master key can be given. */
const UPDATE_API_DOC = `${DOCS}/v5/user/modify-master-apikey`;
/** Create Sub UID API Key: sub-account keys get `SubMemberTransferList` instead. */
const CREATE_SUB_API_DOC = `${DOCS}/v5/user/create-subuid-apikey`;
/** The v5 changelog: `FiatBybitPay` was renamed `FiatBitPay` (2026-05-07, removed 2026-05-14). */
const CHANGELOG_DOC = `${DOCS}/changelog/v5`;

/**
 * Bybit's permission table. Trading covers every group that places orders (derivatives, spot,
 * USDC options, unified derivatives, copy and block trading, convert, earn). Wallet transfers
 * stay between the user's own accounts; `Wallet.Withdraw` withdraws. P2P, Bybit Pay, fiat convert
 * and the Bybit card pay funds out to other parties. The affiliate, community-post and
 * deprecated NFT query values move no funds and place no orders, so they count as read.
 */
export const BYBIT_PERMISSIONS: PermissionTable = {
  'ContractTrade.Order': { class: 'trade', doc: QUERY_API_DOC },
  'ContractTrade.Position': { class: 'trade', doc: QUERY_API_DOC },
  'Spot.SpotTrade': { class: 'trade', doc: QUERY_API_DOC },
  'Options.OptionsTrade': { class: 'trade', doc: QUERY_API_DOC },
  'Derivatives.DerivativesTrade': { class: 'trade', doc: QUERY_API_DOC },
  'CopyTrading.CopyTrading': { class: 'trade', doc: UPDATE_API_DOC },
  'BlockTrade.BlockTrade': { class: 'trade', doc: UPDATE_API_DOC },
  'Exchange.ExchangeHistory': { class: 'trade', doc: QUERY_API_DOC },
  'Earn.Earn': { class: 'trade', doc: QUERY_API_DOC },
  'Wallet.AccountTransfer': { class: 'transfer', doc: QUERY_API_DOC },
  'Wallet.SubMemberTransfer': { class: 'transfer', doc: QUERY_API_DOC },
  'Wallet.SubMemberTransferList': { class: 'transfer', doc: CREATE_SUB_API_DOC },
  'Wallet.Withdraw': { class: 'withdraw', doc: QUERY_API_DOC },
  'FiatP2P.FiatP2POrder': { class: 'payout', doc: QUERY_API_DOC },
  'FiatP2P.Advertising': { class: 'payout', doc: QUERY_API_DOC },
  'FiatBitPay.FaitPayOrder': { class: 'payout', doc: QUERY_API_DOC },
  'FiatBybitPay.FaitPayOrder': { class: 'payout', doc: CHANGELOG_DOC },
  'FiatConvertBroker.FiatConvertBrokerOrder': { class: 'payout', doc: QUERY_API_DOC },
  'BitCard.BitCard': { class: 'payout', doc: QUERY_API_DOC },
  'Affiliate.Affiliate': { class: 'read', doc: UPDATE_API_DOC },
  'ByXPost.ByXPost': { class: 'read', doc: QUERY_API_DOC },
  'NFT.NFTQueryProductList': { class: 'read', doc: UPDATE_API_DOC },
};
