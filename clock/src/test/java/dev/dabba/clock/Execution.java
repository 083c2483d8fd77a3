package dev.dabba.clock;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;

/**
 * A distributed execution run step by step, with the clocks Dabba keeps and the execution graph they must agree with.
 *
 * <p>Processes stamp records (a local event: the own entry ticks), send their clock to another process (a handover;
 * the send may tick or not), and receive messages in any order (merge; the receive may tick or not). An epoch
 * authority announces epochs: the base is the join of the previous base and of the clocks of a random set of events
 * that already happened (so bases are monotone and are knowledge that really exists), and the member table is the
 * previous one extended, in random order, with the nodes the base names (and sometimes a node it does not name yet).
 * A process adopts an announced epoch, the latest or an older one, by merging its base: a receive of the
 * announcement.
 *
 * <p>The graph has a node per step: program order within a process, an edge from a send to its receive, from each
 * joined event and from the previous announcement to an announcement, and from an announcement to its adoptions.
 * Events are the steps that tick an own entry; a merge without a tick is knowledge moving, not an event (as in the
 * edge agent, whose sends and receives do not tick). Between events, the truth is happens-before in the graph.
 * Every step also leaves a <em>state</em>: the clock after it (a process's clock, a message's clock, an epoch's
 * base). A state's truth is its knowledge: the set of events in its causal past. Two states compare as their
 * knowledge sets do by inclusion, which for two events is happens-before again; states exercise clocks that events
 * never have, such as a process right after adopting an epoch that already covers its own entry.
 */
final class Execution {

    enum Kind { STAMP, SEND, RECEIVE, ANNOUNCE, ADOPT }

    /** One step, as jqwik generates it: small ints the interpreter maps onto what exists at that point. */
    record Step(Kind kind, int a, int b, int c) {
    }

    /** An event that ticked its process's own entry. */
    record Event(int node, int process, NodeId id, VectorClock clock) {
    }

    /** The clock left by the step at graph node {@code node}; {@code ticked} when that step was an event. */
    record State(int node, VectorClock clock, boolean ticked) {
    }

    /** A message in flight: the sending step's node, the clock it carries, its destination. */
    record Message(int node, int from, int to, VectorClock clock) {
    }

    private final List<NodeId> processes;
    private final VectorClock[] clocks;
    private final int[] lastNode;
    private final List<BitSet> ancestors = new ArrayList<>();
    private final List<Event> events = new ArrayList<>();
    private final List<State> states = new ArrayList<>();
    private final BitSet eventNodes = new BitSet();
    private final List<Message> inFlight = new ArrayList<>();
    private final List<Message> sent = new ArrayList<>();
    private final List<Epoch> announced = new ArrayList<>();
    private final List<Integer> announcementNodes = new ArrayList<>();
    private final EpochRegistry registry = new EpochRegistry();
    private VectorClock base = VectorClock.empty();
    private int lastAnnouncement = -1;

    private Execution(List<NodeId> processes) {
        this.processes = processes;
        this.clocks = new VectorClock[processes.size()];
        this.lastNode = new int[processes.size()];
        java.util.Arrays.fill(clocks, VectorClock.empty());
        java.util.Arrays.fill(lastNode, -1);
    }

    /** Runs {@code steps} over processes named by the first {@code processCount} ids of {@code names}. */
    static Execution run(List<String> names, int processCount, List<Step> steps) {
        List<NodeId> ids = new ArrayList<>();
        for (int i = 0; i < processCount; i++) {
            ids.add(NodeId.of(names.get(i)));
        }
        Execution x = new Execution(ids);
        for (Step s : steps) {
            x.apply(s);
        }
        return x;
    }

    private void apply(Step s) {
        int p = s.a() % processes.size();
        switch (s.kind()) {
            case STAMP -> {
                int n = node(p);
                tick(p, n);
                states.add(new State(n, clocks[p], true));
            }
            case SEND -> {
                int to = (p + 1 + s.b() % (processes.size() - 1)) % processes.size();
                int n = node(p);
                if (s.c() % 2 == 0) {
                    tick(p, n);
                }
                Message m = new Message(n, p, to, clocks[p]);
                inFlight.add(m);
                sent.add(m);
                states.add(new State(n, clocks[p], s.c() % 2 == 0));
            }
            case RECEIVE -> {
                if (inFlight.isEmpty()) {
                    return;
                }
                Message m = inFlight.remove(s.a() % inFlight.size()); // any order, not FIFO
                int n = node(m.to(), m.node());
                clocks[m.to()] = clocks[m.to()].merge(m.clock());
                if (s.c() % 2 == 0) {
                    tick(m.to(), n);
                }
                states.add(new State(n, clocks[m.to()], s.c() % 2 == 0));
            }
            case ANNOUNCE -> announce(s);
            case ADOPT -> {
                if (announced.isEmpty()) {
                    return;
                }
                int k = s.b() % announced.size();
                int n = node(p, announcementNodes.get(k));
                clocks[p] = clocks[p].merge(announced.get(k).baseClock());
                states.add(new State(n, clocks[p], false));
            }
            default -> throw new IllegalStateException();
        }
    }

    private void announce(Step s) {
        Random random = new Random(s.a() * 31L + s.b());
        List<Integer> joined = new ArrayList<>();
        VectorClock next = base;
        int percent = 10 + 20 * (s.b() % 5); // join 10% to 90% of what happened: few or many bases move
        for (Event e : events) {
            if (random.nextInt(100) < percent) {
                joined.add(e.node());
                next = next.merge(e.clock());
            }
        }
        Epoch previous = registry.latest();
        List<NodeId> fresh = new ArrayList<>();
        for (String id : next.entries().keySet()) {
            if (previous.members().indexOf(id) < 0) {
                fresh.add(NodeId.of(id));
            }
        }
        if (s.c() % 3 == 0) { // sometimes a member the base does not name yet: indexed, with base zero
            NodeId extra = processes.get(s.c() % processes.size());
            if (previous.members().indexOf(extra) < 0 && !fresh.contains(extra)) {
                fresh.add(extra);
            }
        }
        Collections.shuffle(fresh, random); // indices unrelated to id order
        NodeTable members = previous.members().with(fresh);
        long number = previous.number() + 1 + s.c() % 2; // numbers may skip
        Epoch epoch = Epoch.of(number, members, next);
        if (!registry.accept(epoch)) {
            throw new AssertionError("a new epoch must be new: " + epoch);
        }
        if (lastAnnouncement >= 0) {
            joined.add(lastAnnouncement);
        }
        int n = newNode(joined);
        lastAnnouncement = n;
        base = epoch.baseClock();
        announced.add(epoch);
        announcementNodes.add(n);
        states.add(new State(n, base, false));
    }

    private void tick(int p, int node) {
        clocks[p] = clocks[p].increment(processes.get(p));
        events.add(new Event(node, p, processes.get(p), clocks[p]));
        eventNodes.set(node);
    }

    /** A new graph node that follows the last one of process {@code p} and every one of {@code more}. */
    private int node(int p, int... more) {
        List<Integer> preds = new ArrayList<>();
        if (lastNode[p] >= 0) {
            preds.add(lastNode[p]);
        }
        for (int m : more) {
            preds.add(m);
        }
        int n = newNode(preds);
        lastNode[p] = n;
        return n;
    }

    private int newNode(List<Integer> preds) {
        BitSet anc = new BitSet();
        for (int q : preds) {
            anc.or(ancestors.get(q));
            anc.set(q);
        }
        ancestors.add(anc);
        return ancestors.size() - 1;
    }

    /** The happens-before relation of the graph between two events. */
    Causality truth(Event e, Event f) {
        if (e.node() == f.node()) {
            return Causality.EQUAL;
        }
        if (ancestors.get(f.node()).get(e.node())) {
            return Causality.BEFORE;
        }
        return ancestors.get(e.node()).get(f.node()) ? Causality.AFTER : Causality.CONCURRENT;
    }

    /** The relation of two states' knowledge: the events in their causal pasts (a step's own event included). */
    Causality knowledgeTruth(State a, State b) {
        BitSet ka = knowledge(a.node());
        BitSet kb = knowledge(b.node());
        BitSet aNotB = (BitSet) ka.clone();
        aNotB.andNot(kb);
        BitSet bNotA = (BitSet) kb.clone();
        bNotA.andNot(ka);
        if (aNotB.isEmpty()) {
            return bNotA.isEmpty() ? Causality.EQUAL : Causality.BEFORE;
        }
        return bNotA.isEmpty() ? Causality.AFTER : Causality.CONCURRENT;
    }

    private final java.util.Map<Integer, BitSet> knowledge = new java.util.HashMap<>();

    private BitSet knowledge(int node) {
        return knowledge.computeIfAbsent(node, n -> {
            BitSet k = (BitSet) ancestors.get(n).clone();
            k.set(n);
            k.and(eventNodes);
            return k;
        });
    }

    List<State> states() {
        return states;
    }

    List<Event> events() {
        return events;
    }

    List<Message> messages() {
        return sent;
    }

    List<Epoch> announced() {
        return announced;
    }

    EpochRegistry registry() {
        return registry;
    }

    List<NodeId> processes() {
        return processes;
    }

    /** The epochs a clock of epoch {@code number} can be rebased onto: genesis and every announced one up to it. */
    List<Epoch> epochsUpTo(long number) {
        List<Epoch> out = new ArrayList<>();
        out.add(Epoch.GENESIS);
        for (Epoch e : announced) {
            if (e.number() <= number) {
                out.add(e);
            }
        }
        return out;
    }

    @Override
    public String toString() {
        TreeMap<Integer, String> byNode = new TreeMap<>();
        for (Event e : events) {
            byNode.put(e.node(), e.id() + " " + e.clock() + "@" + e.clock().epoch().number());
        }
        return "events " + byNode.values() + ", epochs " + announced;
    }
}
