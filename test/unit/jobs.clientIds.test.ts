import { describe, expect, it } from 'vitest';
import { ClientIdOwners } from '../../main/jobs/clientIds';

describe('ClientIdOwners', () => {
  it('the first principal to use an id owns it; another is refused; the owner may use it again', () => {
    const ids = new ClientIdOwners({}, () => {});
    expect(ids.claim('tab-1', 'key-a')).toBe(true);
    expect(ids.claim('tab-1', 'key-b')).toBe(false);
    expect(ids.claim('tab-1', 'key-a')).toBe(true);
  });

  it('a key making up ids forgets its own oldest, never another key’s claim', () => {
    const ids = new ClientIdOwners({ 'bob-tab': 'key-b' }, () => {});
    for (let i = 0; i <= 1000; i++) expect(ids.claim(`a-${i}`, 'key-a')).toBe(true);
    expect(ids.claim('bob-tab', 'key-a')).toBe(false);
    // a-0 was key-a's oldest, forgotten to make room for a-1000: free for anyone now.
    expect(ids.claim('a-0', 'key-b')).toBe(true);
    expect(ids.claim('a-1000', 'key-b')).toBe(false);
    expect(Object.values(ids.toJSON()).filter((owner) => owner === 'key-a')).toHaveLength(1000);
  });
});
