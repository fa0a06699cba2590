#!/usr/bin/env python3
"""Scan the strict and default streams with picklescan, modelscan, fickling.

Usage (the scanners' venv python): scan.py <dir> <report.md>

For every NAME.strict.pkl in <dir> (written by tests/strict.rs) the strict
stream must give: picklescan 0 dangerous globals, modelscan 0 issues of
severity HIGH or CRITICAL, fickling a verdict better than
LIKELY_OVERTLY_MALICIOUS.  The NAME.default.pkl streams are scanned too and
their findings recorded, not asserted.  Writes a Markdown table to
<report.md>; closing line: N passed, M failed (strict streams x scanners).
"""

import json
import os
import subprocess
import sys

BIN = os.path.dirname(sys.executable)
ORDER = ["LIKELY_SAFE", "POSSIBLY_UNSAFE", "SUSPICIOUS", "LIKELY_UNSAFE",
         "LIKELY_OVERTLY_MALICIOUS", "OVERTLY_MALICIOUS"]


def picklescan(path):
    out = subprocess.run([os.path.join(BIN, "picklescan"), "-p", path],
                         capture_output=True, text=True).stdout
    dangerous = [l for l in out.splitlines() if "dangerous import" in l.lower()]
    for line in out.splitlines():
        if line.startswith("Dangerous globals:"):
            return int(line.split(":")[1]), dangerous
    raise RuntimeError("picklescan gave no summary:\n" + out)


def modelscan(path, tmp):
    report = tmp + ".modelscan.json"
    if os.path.exists(report):
        os.remove(report)
    subprocess.run([os.path.join(BIN, "modelscan"), "-p", path, "-r", "json", "-o", report],
                   capture_output=True, text=True)
    with open(report) as f:
        data = json.load(f)
    issues = data.get("issues", [])
    sev = [i.get("severity") for i in issues]
    return sum(s in ("HIGH", "CRITICAL") for s in sev), sorted(set(
        "%s %s.%s" % (i.get("severity"), i.get("module"), i.get("operator")) for i in issues))


def fickling(path, tmp):
    report = tmp + ".fickling.json"
    if os.path.exists(report):
        os.remove(report)  # fickling appends to an existing report
    subprocess.run([os.path.join(BIN, "fickling"), "--check-safety", "--json-output", report, path],
                   capture_output=True, text=True)
    with open(report) as f:
        data = json.load(f)
    return data["severity"], sorted(set((data.get("detailed_results") or {}).get("AnalysisResult", {})))


def main():
    d, out = sys.argv[1], sys.argv[2]
    names = sorted(f[:-len(".strict.pkl")] for f in os.listdir(d) if f.endswith(".strict.pkl"))
    rows, passed, failed = [], 0, 0
    for profile in ("strict", "default"):
        for name in names:
            path = os.path.join(d, "%s.%s.pkl" % (name, profile))
            tmp = os.path.join(d, "%s.%s" % (name, profile))
            ps, ps_what = picklescan(path)
            ms, ms_what = modelscan(path, tmp)
            fk, fk_what = fickling(path, tmp)
            rows.append((profile, name, ps, ms, fk, "; ".join(ms_what[:3]), ", ".join(fk_what)))
            if profile == "strict":
                for ok, what in ((ps == 0, "picklescan: %d dangerous" % ps),
                                 (ms == 0, "modelscan: %d HIGH/CRITICAL %s" % (ms, ms_what)),
                                 (ORDER.index(fk) < ORDER.index("LIKELY_OVERTLY_MALICIOUS"),
                                  "fickling: %s %s" % (fk, fk_what))):
                    if ok:
                        passed += 1
                    else:
                        failed += 1
                        print("FAIL %s: %s" % (name, what))
    with open(out, "w") as f:
        f.write("| profile | stream | picklescan dangerous | modelscan HIGH+CRITICAL | fickling | modelscan findings | fickling analyses |\n")
        f.write("| --- | --- | --- | --- | --- | --- | --- |\n")
        for r in rows:
            f.write("| %s |\n" % " | ".join(str(x) for x in r))
    print(open(out).read())
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed or not passed else 0


if __name__ == "__main__":
    sys.exit(main())
