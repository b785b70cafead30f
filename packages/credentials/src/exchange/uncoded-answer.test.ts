import { describe, expect, it } from 'vitest';
import { withUncodedAnswer } from './uncoded-answer.js';

// ccxt's class names are what the helper tells errors apart by.
class ExchangeError extends Error {}
class AuthenticationError extends ExchangeError {}

describe('withUncodedAnswer', () => {
  it('hands over a body without the code field that ccxt refused with a bare ExchangeError', async () => {
    const client = { last_json_response: { data: {} } };
    await expect(
      withUncodedAnswer(client, Promise.reject(new ExchangeError('kucoin {}')), 'code'),
    ).resolves.toEqual({ data: {} });
  });

  it('rethrows everything else: a coded body, another error class, no body', async () => {
    const coded = { last_json_response: { code: '400100', msg: 'x' } };
    const bare = new ExchangeError('kucoin');
    await expect(withUncodedAnswer(coded, Promise.reject(bare), 'code')).rejects.toBe(bare);
    const auth = new AuthenticationError('401');
    const uncoded = { last_json_response: {} };
    await expect(withUncodedAnswer(uncoded, Promise.reject(auth), 'code')).rejects.toBe(auth);
    await expect(withUncodedAnswer({}, Promise.reject(bare), 'code')).rejects.toBe(bare);
    // Control: a success passes through.
    await expect(withUncodedAnswer({}, Promise.resolve(1), 'code')).resolves.toBe(1);
  });
});
