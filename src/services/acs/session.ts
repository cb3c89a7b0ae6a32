// The CWMP session as a named-state machine with one transition function (STYLE habit 13;
// tr069-protocol.md §1.1, §1.4). The engine (cwmp.ts) feeds it classified HTTP messages and
// carries out its decisions; this file does no I/O.
//
//   (Inform → InformResponse)
//        │
//   cpe-requests ── CPE request (TransferComplete, …) → answer, stay
//        │ empty POST
//   acs-requests ── ACS request in flight ── CPE response / Fault → apply, send next
//        │ nothing left to send
//   ended (204)

export interface InFlight {
  /** The task this request came from; null for requests the ACS makes on its own. */
  taskId: number | null;
  method: string;
  /** The cwmp:ID we sent (the CPE must echo it). */
  id: string;
  sentAt: number;
}

export type SessionState =
  | { name: 'cpe-requests' }
  | { name: 'acs-requests'; inFlight: InFlight | null }
  | { name: 'ended'; outcome: string };

export type SessionInput =
  | { kind: 'empty' }
  | { kind: 'cpe-request'; method: string }
  | { kind: 'cpe-response'; method: string; id: string | undefined };

export type Decision =
  /** Answer the CPE's own request (TransferComplete, GetRPCMethods, …). */
  | { do: 'answer' }
  /** Store the response to the request in flight, then send the next request or end. */
  | { do: 'apply'; inFlight: InFlight }
  /** Send the next request or end. */
  | { do: 'send-next' }
  /** The CPE abandoned the request in flight (empty POST instead of a response): requeue it and end. */
  | { do: 'abandon'; inFlight: InFlight }
  /** Protocol error: 400 and end the session (GenieACS: "400 Bad session state"). */
  | { do: 'reject'; reason: string };

export function transition(state: SessionState, input: SessionInput): { state: SessionState; decision: Decision } {
  switch (state.name) {
    case 'ended':
      return { state, decision: { do: 'reject', reason: 'session already ended' } };
    case 'cpe-requests':
      if (input.kind === 'empty') return { state: { name: 'acs-requests', inFlight: null }, decision: { do: 'send-next' } };
      if (input.kind === 'cpe-request') return { state, decision: { do: 'answer' } };
      return { state: { name: 'ended', outcome: 'protocol error' }, decision: { do: 'reject', reason: `${input.method} but no ACS request is outstanding` } };
    case 'acs-requests': {
      const f = state.inFlight;
      if (input.kind === 'empty') {
        if (f) return { state: { name: 'acs-requests', inFlight: null }, decision: { do: 'abandon', inFlight: f } };
        // CWMP 1.0 termination dance (§1.4): a second empty POST just ends the session.
        return { state, decision: { do: 'send-next' } };
      }
      if (input.kind === 'cpe-request') {
        // A CPE request after its empty POST breaks §1.4; tolerate it when nothing is in flight.
        if (!f) return { state, decision: { do: 'answer' } };
        return { state: { name: 'ended', outcome: 'protocol error' }, decision: { do: 'reject', reason: `${input.method} while ${f.method} awaits its response` } };
      }
      if (!f) return { state: { name: 'ended', outcome: 'protocol error' }, decision: { do: 'reject', reason: `${input.method} but no ACS request is outstanding` } };
      if (input.method !== 'Fault' && input.method !== `${f.method}Response`) {
        return { state: { name: 'ended', outcome: 'protocol error' }, decision: { do: 'reject', reason: `${input.method} does not answer ${f.method}` } };
      }
      return { state: { name: 'acs-requests', inFlight: null }, decision: { do: 'apply', inFlight: f } };
    }
  }
}

/** After a decision to send the next request: either a request goes out, or the session ends. */
export function afterSend(inFlight: InFlight | null): SessionState {
  return inFlight ? { name: 'acs-requests', inFlight } : { name: 'ended', outcome: 'ok' };
}
