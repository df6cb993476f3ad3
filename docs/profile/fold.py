#!/usr/bin/env python3
"""async-profiler's collapsed stacks (with its `threads` option) into the folded form stackvis draws.

    python3 docs/profile/fold.py api.collapsed api.folded 0.0005
    npx stackvis@0.5.0 collapsed flamegraph-svg < api.folded > docs/profile/api-get.svg

Thread names lose their numbers (Jetty's request threads become one), C++ frames lose their parameter lists
(stackvis splits frames on commas), and stacks under the given share of all samples are left out, so the SVG
stays a few hundred KB.
"""
import collections
import re
import sys

src, dst, least = sys.argv[1], sys.argv[2], float(sys.argv[3])
samples = collections.Counter()
for line in open(src):
    stack, _, n = line.rstrip('\n').rpartition(' ')
    frames = stack.split(';')
    thread = re.sub(r'\d+', '#', re.sub(r' tid=\d+\]', ']', frames[0]))
    if thread.startswith('[JettyServerThreadPool'):
        thread = '[Jetty request threads]'
    folded = [thread.replace(' ', '_')]
    for f in frames[1:]:
        folded.append(re.sub(r'[ ,]', '_', f if f.startswith('[') else re.sub(r'\(.*', '', f)))
    samples[','.join(folded)] += int(n)
total = sum(samples.values())
with open(dst, 'w') as out:
    for stack in sorted(samples):
        if samples[stack] >= least * total:
            out.write(f"{stack} {samples[stack]}\n")
