// What a launch should tell the user before the run: a fault scheduled after the run ends never fires, said once in the Debug Console.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HELLO, launch, withClient } from './helpers';

test('a fault scheduled after untilMs is a warning in the Debug Console; the session starts as asked', () =>
  withClient(async (dc) => {
    const note = dc.assertOutput('important', 'Lockstep: a fault is scheduled after the run ends at 5 ms and may never fire (hostCrash at 50 ms)');
    const stop = await launch(dc, { program: HELLO, untilMs: 5, faults: [{ atMs: 50, kind: 'hostCrash', host: '@primary' }] });
    assert.equal(stop.body.reason, 'entry');
    await note;
  }));
