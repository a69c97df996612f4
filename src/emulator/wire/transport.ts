/**
 * One TCP port for two protocols: the AWS SDK for JavaScript speaks HTTP/2 cleartext with prior
 * knowledge, boto3, the AWS CLI and curl speak HTTP/1.1. A new connection is told apart by the
 * HTTP/2 connection preface and handed to the matching Node server.
 */
import type { Socket } from 'node:net';
import { Duplex } from 'node:stream';

const H2_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');

/**
 * Reads just enough of a new connection to tell HTTP/2 from HTTP/1.1, then hands it on with the
 * bytes read so far put back in front.
 */
export function sniff(socket: Socket, route: (isH2: boolean, stream: Duplex) => void): void {
  let seen = Buffer.alloc(0);
  const onData = (chunk: Buffer) => {
    seen = Buffer.concat([seen, chunk]);
    const n = Math.min(seen.length, H2_PREFACE.length);
    const isH2 = seen.subarray(0, n).equals(H2_PREFACE.subarray(0, n));
    if (isH2 && n < H2_PREFACE.length) return; // could still be h2: wait for the whole preface
    socket.off('data', onData);
    socket.pause();
    if (isH2) {
      route(true, replaying(socket, seen));
    } else {
      // The HTTP/1.1 parser reads the socket's buffered data, so putting the bytes back is enough.
      socket.unshift(seen);
      route(false, socket);
      socket.resume();
    }
  };
  socket.on('data', onData);
}

/**
 * The HTTP/2 server reads a real socket straight from its handle, past anything unshift put back.
 * Giving it a plain Duplex instead makes it read through JavaScript, preface included.
 */
function replaying(socket: Socket, head: Buffer): Duplex {
  const stream = new Duplex({
    read: () => void socket.resume(),
    write: (chunk, _encoding, callback) => void socket.write(chunk, callback),
    final: (callback) => void socket.end(callback),
    destroy: (error, callback) => {
      socket.destroy(error ?? undefined);
      callback(error);
    },
  });
  stream.push(head);
  socket.on('data', (chunk: Buffer) => {
    if (!stream.push(chunk)) socket.pause();
  });
  socket.on('end', () => stream.push(null));
  socket.on('close', () => stream.destroy());
  return stream;
}
