#!/usr/bin/env python3
# RETR throughput of pop-maildir: 200 messages of 100 KB and one of 20 MB, verified, under
# tcpserver with and without -D, with --io=auto (TCP_NODELAY) and --io=fd. Run as root.
import os, socket, subprocess, time, shutil, statistics

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, 'bin', 'pop-maildir.cjs')
NODE = os.environ.get('NODE', shutil.which('node'))
DIR = '/var/tmp/popchain-bench/retr'

def make():
    if os.path.isdir(DIR):
        shutil.rmtree(DIR)
    for sub in ('tmp', 'new', 'cur'):
        os.makedirs(os.path.join(DIR, sub))
    line = b'y' * 99 + b'\n'
    for i in range(200):
        open('%s/cur/%d.M%d.bench:2,' % (DIR, 1700000000 + i, i), 'wb').write(b'Subject: m\n\n' + line * 1000)
    open('%s/cur/%d.big.bench:2,' % (DIR, 1800000000), 'wb').write(b'Subject: big\n\n' + line * 200000)
    subprocess.run(['chown', '-R', 'nobody:nogroup', DIR], check=True)

def session(port):
    s = socket.create_connection(('127.0.0.1', port))
    greeting = s.recv(4096)
    assert greeting.startswith(b'+OK'), greeting
    t0 = time.perf_counter()
    total = 0
    for i in range(1, 202):
        s.sendall(b'RETR %d\r\n' % i)
        tail = b''
        while True:
            b = s.recv(1 << 20)
            assert b, 'connection closed'
            total += len(b)
            tail = (tail + b)[-5:]
            if tail == b'\r\n.\r\n':
                break
    dt = time.perf_counter() - t0
    s.sendall(b'QUIT\r\n')
    s.recv(4096)
    s.close()
    return total / dt / 1e6, dt

def main():
    make()
    port = 21300
    for io in ('auto', 'fd'):
        for nodelay in (False, True):
            port += 1
            args = ['tcpserver', '-q', '-R', '-H'] + (['-D'] if nodelay else []) + ['127.0.0.1', str(port),
                    'setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', 'env', 'POPMAILDIR_IO=' + io, NODE, BIN, DIR]
            p = subprocess.Popen(args, stderr=subprocess.DEVNULL)
            time.sleep(0.5)
            try:
                runs = [session(port) for _ in range(3)]
                mbs = statistics.median(r[0] for r in runs)
                secs = statistics.median(r[1] for r in runs)
                print('io=%-4s tcpserver%s: %.0f MB/s (%.2f s for 40 MB)' % (io, ' -D' if nodelay else '   ', mbs, secs), flush=True)
            finally:
                p.terminate()
                p.wait()

main()
