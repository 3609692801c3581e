// The IPC contract is one source of truth: the channel list, the request/response map, the main
// side's handlers and the renderer's bridge must agree. Most checks here are compile-time (tsc
// runs over test/ in `npm test`); the runtime part checks the list has no duplicates.
import { describe, expect, expectTypeOf, it } from 'vitest';
import { createCompanionApi, invokeHandler } from '../../main/api/companionApi';
import {
  INVOKE_CHANNELS,
  type Channel,
  type CompanionBridge,
  type ContractHandlers,
  type ContractMap,
  type IpcResult,
  type NewKeySecret,
  type Res,
} from '../../preload/contract';

describe('IPC contract', () => {
  it('names every channel exactly once, and the map has exactly the listed channels', () => {
    expect(new Set(INVOKE_CHANNELS).size).toBe(INVOKE_CHANNELS.length);
    expectTypeOf<keyof ContractMap>().toEqualTypeOf<Channel>();
  });

  it('main implements exactly the contract: no missing and no extra handler', () => {
    expectTypeOf(createCompanionApi).returns.toEqualTypeOf<ContractHandlers>();
    // A handler map with one channel missing, or one extra, is not a ContractHandlers.
    type Missing = Omit<ContractHandlers, 'keys:list'>;
    expectTypeOf<Missing>().not.toEqualTypeOf<ContractHandlers>();
    type Extra = ContractHandlers & { 'keys:export': () => Promise<string> };
    expectTypeOf<keyof Extra>().not.toEqualTypeOf<Channel>();
  });

  it('the bridge invoke is typed per channel', () => {
    const bridge = null as unknown as CompanionBridge;
    if (bridge) {
      // Compile-time only: these lines never run.
      expectTypeOf(bridge.invoke('keys:create', { name: 'n' })).resolves.toEqualTypeOf<IpcResult<NewKeySecret>>();
      // @ts-expect-error keys:create requires a request
      void bridge.invoke('keys:create');
      // @ts-expect-error status:get takes no request
      void bridge.invoke('status:get', { x: 1 });
      // @ts-expect-error unknown channel
      void bridge.invoke('keys:export');
    }
    expectTypeOf<Res<'keys:rotate'>>().toEqualTypeOf<NewKeySecret>();
  });

  it('an unknown channel is refused at run time as not_found', async () => {
    const result = await invokeHandler({} as ContractHandlers, 'nope' as Channel, undefined);
    expect(result).toEqual({ ok: false, error: { code: 'not_found', message: 'Unknown channel' } });
  });
});
