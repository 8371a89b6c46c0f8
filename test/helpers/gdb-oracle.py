# GDB side of the C debug oracle: visits a plan of stops in one session and prints GDB's own text for each as a JSON line.
#
# Sourced by the command file that test/helpers/gdb-oracle.ts generates, after its settings and `target remote`.
# Each CLI command runs through gdb.execute so that one failing command (a `print` of a name the optimiser
# dropped, say) is recorded as that command's error instead of ending the batch session, as it would in a plain
# command file. The only fact not taken from CLI text is whether a frame is inlined, which `bt` does not show.
import json

import gdb

MARK = "@@oracle "


def run(command):
    """GDB's output for one CLI command, or its error message."""
    try:
        return {"ok": True, "text": gdb.execute(command, to_string=True)}
    except gdb.error as e:
        return {"ok": False, "text": str(e)}


def inlined_flags():
    """For each frame `bt` lists, innermost first: is it an inlined frame?"""
    flags = []
    frame = gdb.newest_frame()
    while frame is not None:
        flags.append(frame.type() == gdb.INLINE_FRAME)
        frame = frame.older()
    return flags


def hit(number):
    """A temporary breakpoint is deleted when it is hit."""
    return all(b.number != number for b in gdb.breakpoints())


def visit(stop):
    """Runs to one stop (its tbreak, `ignore` more hits first) and records what GDB shows there."""
    facts = {"stop": stop["name"], "reached": False}
    placed = run("tbreak " + stop["location"])
    if not placed["ok"]:
        return dict(facts, error=placed["text"], fatal=False)
    number = int(gdb.parse_and_eval("$bpnum"))
    if stop.get("ignore"):
        run("ignore %d %d" % (number, stop["ignore"]))
    went = run("continue")
    if not went["ok"] or not hit(number):
        return dict(facts, error=went["text"], fatal=True)
    return dict(
        facts,
        reached=True,
        bt=run("bt"),
        inlined=inlined_flags(),
        args=run("info args"),
        locals=run("info locals"),
        prints=[dict(run("print " + e), expr=e) for e in stop.get("exprs", [])],
    )


def oracle_run(plan_path):
    with open(plan_path) as f:
        plan = json.load(f)
    for stop in plan["stops"]:
        facts = visit(stop)
        print(MARK + json.dumps(facts), flush=True)
        if facts.get("fatal"):
            break
    print(MARK + json.dumps({"end": True}), flush=True)
