import { test } from 'node:test';
import assert from 'node:assert/strict';
import { transition, afterSend, type SessionState } from './session.ts';

const f = { taskId: 1, method: 'GetParameterValues', id: 'x', sentAt: 0 };

test('empty POST in cpe-requests moves to acs-requests and asks for the next request', () => {
  const r = transition({ name: 'cpe-requests' }, { kind: 'empty' });
  assert.deepEqual(r.state, { name: 'acs-requests', inFlight: null });
  assert.equal(r.decision.do, 'send-next');
});

test('CPE requests are answered before its empty POST', () => {
  const r = transition({ name: 'cpe-requests' }, { kind: 'cpe-request', method: 'TransferComplete' });
  assert.equal(r.decision.do, 'answer');
  assert.equal(r.state.name, 'cpe-requests');
});

test('a matching response or a Fault applies the request in flight', () => {
  const s: SessionState = { name: 'acs-requests', inFlight: f };
  assert.deepEqual(transition(s, { kind: 'cpe-response', method: 'GetParameterValuesResponse', id: 'x' }).decision, { do: 'apply', inFlight: f });
  assert.deepEqual(transition(s, { kind: 'cpe-response', method: 'Fault', id: 'x' }).decision, { do: 'apply', inFlight: f });
});

test('a response to something else, or with nothing outstanding, is a protocol error', () => {
  assert.equal(transition({ name: 'acs-requests', inFlight: f }, { kind: 'cpe-response', method: 'RebootResponse', id: 'x' }).decision.do, 'reject');
  assert.equal(transition({ name: 'cpe-requests' }, { kind: 'cpe-response', method: 'RebootResponse', id: 'x' }).decision.do, 'reject');
  assert.equal(transition({ name: 'acs-requests', inFlight: null }, { kind: 'cpe-response', method: 'RebootResponse', id: 'x' }).decision.do, 'reject');
});

test('an empty POST instead of a response abandons the request in flight', () => {
  const r = transition({ name: 'acs-requests', inFlight: f }, { kind: 'empty' });
  assert.deepEqual(r.decision, { do: 'abandon', inFlight: f });
});

test('an ended session accepts nothing', () => {
  assert.equal(transition({ name: 'ended', outcome: 'ok' }, { kind: 'empty' }).decision.do, 'reject');
});

test('afterSend ends the session when nothing is left', () => {
  assert.deepEqual(afterSend(null), { name: 'ended', outcome: 'ok' });
  assert.deepEqual(afterSend(f), { name: 'acs-requests', inFlight: f });
});
