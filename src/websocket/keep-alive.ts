import type { WebSocket as Peer } from 'ws';

/**
 * Pings `peer` every `interval` ms and cuts the connection when a ping got no pong (nor any
 * message) by the next one: a client that vanished without a close frame (a laptop lid, a dead
 * NAT mapping) is noticed, and the traffic keeps idle proxies from dropping a live one. The
 * timer goes with the connection. Returns nothing; 0 turns it off.
 */
export function keepAlive(peer: Peer, interval: number): void {
  if (interval <= 0) return;
  let alive = true;
  const mark = () => {
    alive = true;
  };
  peer.on('pong', mark);
  peer.on('message', mark);
  const timer = setInterval(() => {
    if (!alive) {
      peer.terminate();
      return;
    }
    alive = false;
    peer.ping();
  }, interval);
  peer.once('close', () => clearInterval(timer));
}
