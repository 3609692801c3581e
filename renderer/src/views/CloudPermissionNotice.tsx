// Says, while the Comfy account is connected, that access keys no longer spend it unless allowed (SPEC
// §8.8; keys from before this version were switched off): how many active keys may not, and where to allow
// one. Dismissable for this session.
import { useState } from 'react';
import type { KeyView } from '../../../preload/contract';
import { Banner } from '../components/ui';
import { useStatusStore } from '../stores/statusStore';

export function CloudPermissionNotice({ keys }: { keys: readonly KeyView[] }) {
  const loggedIn = useStatusStore((s) => s.status?.cloud.loggedIn ?? false);
  const [dismissed, setDismissed] = useState(false);
  const off = keys.filter((k) => k.status === 'active' && !k.cloud).length;
  if (!loggedIn || off === 0 || dismissed) return null;
  return (
    <Banner
      tone="info"
      testId="cloud-permission-notice"
      title={`${off === 1 ? '1 key does' : `${off} keys do`} not spend your Comfy credits`}
      actions={
        <button type="button" className="button button-small button-quiet" onClick={() => setDismissed(true)}>
          Got it
        </button>
      }
    >
      Keys may use paid API nodes on your Comfy account only when you allow it: Edit → Comfy account → “May spend your Comfy credits”. Keys made before this version start switched off.
    </Banner>
  );
}
