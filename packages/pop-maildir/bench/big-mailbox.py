#!/usr/bin/env python3
# Times STAT+LIST+UIDL against pop-maildir on big Maildirs, cold (no size cache) and warm.
# usage: big-mailbox.py COUNT [COUNT...]   (run as root; serves as nobody under tcpserver, with and without -D)
import os, socket, subprocess, sys, time, shutil, statistics

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, 'bin', 'pop-maildir.cjs')
NODE = os.environ.get('NODE', shutil.which('node'))

def make(dir, n):
    if os.path.isdir(dir):
        shutil.rmtree(dir)
    for sub in ('tmp', 'new', 'cur'):
        os.makedirs(os.path.join(dir, sub))
    body = ('Subject: test\n\n' + 'x' * 70 + '\n') * 20
    for i in range(n):
        sub = 'cur' if i % 2 else 'new'
        name = '%d.M%dP%d.bench.example.org%s' % (1700000000 + i // 10, i, 4242, ':2,S' if sub == 'cur' else '')
        with open(os.path.join(dir, sub, name), 'w') as f:
            f.write(body)
    subprocess.run(['chown', '-R', 'nobody:nogroup', dir], check=True)

def session(port):
    t0 = time.perf_counter()
    s = socket.create_connection(('127.0.0.1', port))
    f = s.makefile('rb')
    f.readline()
    s.sendall(b'STAT\r\nLIST\r\nUIDL\r\nQUIT\r\n')
    data = f.read()
    s.close()
    dt = time.perf_counter() - t0
    assert data.endswith(b'+OK bye\r\n'), data[-200:]
    return dt * 1000

def serve(dir, nodelay, port):
    args = ['tcpserver', '-q', '-R', '-H'] + (['-D'] if nodelay else []) + ['127.0.0.1', str(port),
            'setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', NODE, BIN, dir]
    p = subprocess.Popen(args)
    time.sleep(0.5)
    return p

def main():
    base = '/var/tmp/popchain-bench'
    port = 21100
    for n in map(int, sys.argv[1:]):
        dir = '%s/%d' % (base, n)
        make(dir, n)
        for nodelay in (False, True):
            port += 1
            p = serve(dir, nodelay, port)
            try:
                if os.path.exists(dir + '/popchain-sizes'):
                    os.unlink(dir + '/popchain-sizes')
                cold = session(port)
                warm = statistics.median(session(port) for _ in range(7))
                print('%7d messages, tcpserver%s: cold %.0f ms, warm %.0f ms' % (n, ' -D' if nodelay else '   ', cold, warm), flush=True)
            finally:
                p.terminate()
                p.wait()
    t0 = time.perf_counter()
    subprocess.run([NODE, '-e', '0'])
    print('node -e 0: %.0f ms' % ((time.perf_counter() - t0) * 1000))

main()
