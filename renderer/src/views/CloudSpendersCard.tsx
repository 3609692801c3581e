// The Cloud view's answer to "who can spend this account?" (SPEC §8.8): the access keys allowed to, with
// their paid-API-node jobs today against their daily cap; everyone else's workflows with paid API nodes
// are refused. Read from the key list (refreshed when keys change).
import { useEffect } from 'react';
import { Card, EmptyState } from '../components/ui';
import { formatNumber } from '../format';
import { onEvent } from '../ipc';
import { useKeysStore } from '../stores/keysStore';

export function CloudSpendersCard() {
  const { keys, loaded, load } = useKeysStore();
  useEffect(() => {
    if (!loaded) void load();
    return onEvent((e) => {
      if (e.type === 'keys:changed') void load();
    });
  }, [loaded, load]);
  const usable = keys.filter((k) => k.status === 'active');
  const spenders = usable.filter((k) => k.cloud);
  const others = usable.length - spenders.length;
  return (
    <Card title="Who may spend these credits">
      <p className="muted small">
        You always may (this app and the admin key). Access keys only when allowed in their settings; a key that is not allowed gets workflows with paid API nodes refused, unless its holder signs in to their own Comfy account.
      </p>
      {spenders.length === 0 ? (
        <EmptyState title="No access key may spend them">Allow one in Access keys → Edit → Comfy account.</EmptyState>
      ) : (
        <table className="table compact" aria-label="Keys that may spend the Comfy account">
          <thead>
            <tr>
              <th>Key</th>
              <th className="num">Paid API jobs today</th>
              <th className="num">Daily cap</th>
            </tr>
          </thead>
          <tbody>
            {spenders.map((k) => (
              <tr key={k.id}>
                <td>{k.name}</td>
                <td className="num">{formatNumber(k.cloudJobsToday)}</td>
                <td className="num">{k.cloudJobsPerDay === null ? 'no cap' : formatNumber(k.cloudJobsPerDay)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {others > 0 && <p className="muted small">{`${others} other active ${others === 1 ? 'key' : 'keys'} may not spend them.`}</p>}
    </Card>
  );
}
