// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * tools/ports/freertos/test/test.c - the FreeRTOS port's test, the same
 * program on the POSIX simulator and on the Cortex-M3 port under QEMU:
 * the library built with TL_THREADS=0 TL_HEAPLESS=1, wired in through
 * tl_freertos_config.h and tl_freertos.c, under a preemptive kernel with
 * time slicing, where the tick may land on any instruction of the
 * library's.
 *
 * Phases, run in order by a controller task of the highest priority: the
 * root context before the scheduler starts and from a task that has no
 * node; the seed's foo/bar example; a typed local initialised once per
 * task; destructors on self-delete and on delete by another task; time
 * slicing between two busy tasks preempted by a third of higher priority;
 * the registry lock taken from an interrupt; a stress of busy tasks that
 * set and read their own values, counting wrong values (must stay 0); the
 * root context's exit.  Every check is a TAP line; the exit status is the
 * number of failed checks.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "tl_freertos.h"
#include "test.h"

#ifndef STRESS_TICKS
#define STRESS_TICKS	500		/* how long the stress runs */
#endif
#define SLICE_WAKES	40		/* wake-ups of the high-priority task */
#define PHASE_TIMEOUT	pdMS_TO_TICKS(20000)

#define PRIO_BUSY	1
#define PRIO_PAIR	2
#define PRIO_HIGH	3
#define PRIO_CONTROL	4

#define STACK_WORDS	(configMINIMAL_STACK_SIZE * 4)
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* ------------------------------------------------------------ report */

static int checks, failures;

/* Output with the scheduler suspended: stdio is not reentrant. */
static void __attribute__((format(printf, 1, 0)))
vsay(const char *fmt, va_list ap)
{
	bool running = xTaskGetSchedulerState() == taskSCHEDULER_RUNNING;

	if (running)
		vTaskSuspendAll();
	vprintf(fmt, ap);
	if (running)
		(void)xTaskResumeAll();
}

static void __attribute__((format(printf, 1, 2))) say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay(fmt, ap);
	va_end(ap);
}

/* One TAP line, printed at once: tasks of several phases may check. */
static bool __attribute__((format(printf, 2, 3)))
check(bool ok, const char *fmt, ...)
{
	char what[160];
	va_list ap;
	int n;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	taskENTER_CRITICAL();
	n = ++checks;
	if (!ok)
		failures++;
	taskEXIT_CRITICAL();
	say("%s %d - %s\n", ok ? "ok" : "not ok", n, what);
	return ok;
}

/* -------------------------------------------------- the "tracer" */

/* The application's tracer that tasklocal's hooks chain to. */
static volatile unsigned long trace_switches, trace_deletes;

void test_trace_switched_in(void)
{
	trace_switches++;
}

void test_trace_deleted(void *tcb)
{
	(void)tcb;
	trace_deletes++;
}

void test_assert_failed(const char *file, int line)
{
	taskDISABLE_INTERRUPTS();
	printf("Bail out! configASSERT failed at %s:%d\n", file, line);
	test_finish(failures + 100);
}

/* ------------------------------------------------------------ locals */

/* The seed's mylocal.a_var; its destructor records what it was given. */
static volatile unsigned name_destroyed;
static const char *volatile name_last;
static struct tl_node *volatile name_current;	/* tl_current() meanwhile */

static void name_destroy(void *value)
{
	name_last = value;
	name_current = tl_current();
	name_destroyed++;
}

static struct tl_local name_local = TL_LOCAL(.name = "a_var",
					     .destroy = name_destroy);

/* A typed local: built once per task, by the task that first touches it. */
struct counter {
	TaskHandle_t owner;
	unsigned hits;
};

static volatile unsigned counter_inits, counter_destroyed, counter_hits;

static void counter_init(void *data, void *arg)
{
	struct counter *c = data;

	(void)arg;
	c->owner = xTaskGetCurrentTaskHandle();
	c->hits = 0;
	counter_inits++;
}

static void counter_destroy(void *data)
{
	const struct counter *c = data;

	counter_hits += c->hits;
	counter_destroyed++;
}

static struct tl_local counter_local = TL_LOCAL(.name = "counter",
						.size = sizeof(struct counter),
						.init = counter_init,
						.destroy = counter_destroy);

static struct tl_local slice_local = TL_LOCAL(.name = "slice");
static struct tl_local stress_local[4];

/*
 * Each stress task also runs a scheduler of its own (a tl_sched switching
 * between two inner tasks), whose local the inline path finds through the
 * scheduler's current task while the other stress tasks fill the same
 * cache sets: each inner task must see its own value.
 */
static struct tl_sched stress_sched[4];
static struct tl_local stress_sched_local[4] = {
	TL_LOCAL(.disc = &stress_sched[0].disc),
	TL_LOCAL(.disc = &stress_sched[1].disc),
	TL_LOCAL(.disc = &stress_sched[2].disc),
	TL_LOCAL(.disc = &stress_sched[3].disc),
};

/*
 * Exits that overlap: each exiter task exits a node of its own whose
 * destructor blocks, so that the other's exit runs meanwhile; the
 * destructor then reads the exited node's other value (overlap_word, of a
 * higher index: still there at its turn).
 */
struct exiter {
	struct tl_node node;	/* exited by the exiter, never run */
	const char *word;
	bool saw_own;
};

static volatile unsigned overlap_destroyed;
static struct tl_local overlap_word = TL_LOCAL(.name = "overlap_word");

static void overlap_destroy(void *value)
{
	struct exiter *e = value;
	const char *got;

	vTaskDelay(2);		/* the other exiter's exit runs meanwhile */
	got = tl_get(&overlap_word);
	e->saw_own = got && !strcmp(got, e->word);
	overlap_destroyed++;
}

static struct tl_local overlap_local = TL_LOCAL(.name = "overlap",
						.destroy = overlap_destroy);

static struct tl_local *const all_locals[] = {
	&overlap_local, &overlap_word,
	&name_local, &counter_local, &slice_local,
	&stress_local[0], &stress_local[1], &stress_local[2], &stress_local[3],
	&stress_sched_local[0], &stress_sched_local[1],
	&stress_sched_local[2], &stress_sched_local[3],
};

/* Memory: every value of the widest phase at once, and some room. */
#define VALUES		40
static _Alignas(max_align_t) unsigned char
	pool_mem[TL_PORT_POOL_BYTES(VALUES, sizeof(struct counter))];
static _Alignas(max_align_t) unsigned char arena_mem[4096];

/* -------------------------------------------------- task helpers */

static TaskHandle_t controller;
static struct tl_node controller_locals;

/* Spawn an attached task; its node is @locals. */
static TaskHandle_t spawn(TaskFunction_t fn, const char *name,
			  UBaseType_t prio, void *arg, struct tl_node *locals)
{
	TaskHandle_t t = NULL;

	if (tl_freertos_task_create(fn, name, STACK_WORDS, arg, prio, &t,
				    locals) != pdPASS)
		check(false, "create task %s", name);
	return t;
}

/*
 * Between phases: the idle task finishes deleting the last phase's tasks
 * before the next phase creates any.  The POSIX simulator joins a deleted
 * task's thread there, inside glibc's lock of its stack cache; a tick
 * that switched to a task creating a thread meanwhile left that task
 * waiting for the lock for good (the simulated core never ran the idle
 * task again): a hang seen about once in 60 runs under load, with the
 * unmodified kernel and the library of before or after.
 */
static void settle(void)
{
	vTaskDelay(pdMS_TO_TICKS(20));
}

/* Wait for @n notifications from the phase's tasks. */
static bool wait_notified(unsigned n)
{
	while (n) {
		if (!ulTaskNotifyTake(pdFALSE, PHASE_TIMEOUT))
			return false;
		n--;
	}
	return true;
}

/*
 * A task that notified and then deleted itself is gone once the tracer
 * has counted its delete: poll for it (it may still be on its way to
 * vTaskDelete() when the notification wakes the controller).
 */
static bool wait_deletes(unsigned long target)
{
	TickType_t waited = 0;

	while (trace_deletes < target && waited++ < PHASE_TIMEOUT)
		vTaskDelay(1);
	return trace_deletes >= target;
}

static void finish_task(void)
{
	xTaskNotifyGive(controller);
	vTaskDelete(NULL);
}

/* -------------------------------------------- phase: the root context */

static void orphan(void *arg)
{
	(void)arg;
	check(tl_current() == NULL && tl_freertos_task_locals(NULL) == NULL,
	      "a task never attached has no node");
	check(tl_get(&name_local) && !strcmp(tl_get(&name_local), "root"),
	      "it sees the root context's value set before the scheduler");
	finish_task();
}

static void phase_root(void)
{
	unsigned destroyed = name_destroyed;
	unsigned long deletes = trace_deletes;

	xTaskCreate(orphan, "orphan", STACK_WORDS, NULL, PRIO_HIGH, NULL);
	check(wait_notified(1) && wait_deletes(deletes + 1),
	      "the unattached task ran and deleted itself");
	check(name_destroyed == destroyed,
	      "its delete left the root context alone");
}

/* ------------------------------------------ phase: the seed's example */

struct pair_task {
	const char *word;
	struct tl_node locals;
	bool own;		/* read back its own value */
	unsigned hits;		/* its counter, seen from the task */
	bool counter_own;	/* one storage, built for this task */
};

static void pair(void *arg)
{
	struct pair_task *p = arg;
	struct counter *first = NULL;
	const char *got;
	int i;

	tl_set(&name_local, (void *)p->word);
	p->counter_own = true;
	for (i = 0; i < 3; i++) {
		struct counter *c = tl_this(&counter_local);

		if (!first)
			first = c;
		p->counter_own &= c && c == first &&
				  c->owner == xTaskGetCurrentTaskHandle();
		if (c)
			c->hits++;
		taskYIELD();		/* the other one sets its own a_var */
	}
	got = tl_get(&name_local);
	p->own = got && !strcmp(got, p->word);
	p->hits = first ? first->hits : 0;
	say("%s\n", got ? got : "(null)");
	finish_task();		/* destructors run in vTaskDelete(NULL) */
}

static void phase_pair(void)
{
	static struct pair_task p[2] = { { .word = "foo" }, { .word = "bar" } };
	unsigned destroyed = name_destroyed, counters = counter_destroyed;
	unsigned inits = counter_inits, hits = counter_hits;
	size_t free_before = tl_port_values_free();
	unsigned long deletes = trace_deletes;
	unsigned i;

	for (i = 0; i < 2; i++)
		spawn(pair, p[i].word, PRIO_PAIR, &p[i], &p[i].locals);
	check(wait_notified(2) && wait_deletes(deletes + 2),
	      "foo and bar ran and deleted themselves");
	check(p[0].own && p[1].own,
	      "foo/bar: each task read back its own a_var after yielding");
	check(counter_inits == inits + 2 && p[0].counter_own && p[1].counter_own,
	      "typed local: init ran once per task (%u), storage its own",
	      counter_inits - inits);
	check(p[0].hits == 3 && p[1].hits == 3, "typed local kept each count");
	check(name_destroyed == destroyed + 2 && counter_destroyed == counters + 2 &&
	      counter_hits == hits + 6,
	      "vTaskDelete(NULL) ran both tasks' destructors");
	check(tl_port_values_free() == free_before,
	      "their slots are back in the pool (%u free)",
	      (unsigned)tl_port_values_free());
}

/* ----------------------------------- phase: deleted by another task */

static struct tl_node victim_locals;

/* Attached by itself, with the entry helper, rather than at creation. */
static void victim(void *arg)
{
	struct counter *c;

	(void)arg;
	check(tl_current() == NULL, "before it attaches, a task is in the root");
	tl_freertos_task_attach(NULL, &victim_locals);
	check(tl_current() == &victim_locals && tl_get(&name_local) == NULL,
	      "tl_freertos_task_attach(NULL) makes its node current at once");
	c = tl_this(&counter_local);
	tl_set(&name_local, "victim");
	if (c)
		c->hits = 7;
	xTaskNotifyGive(controller);
	(void)ulTaskNotifyTake(pdTRUE, portMAX_DELAY);	/* deleted here */
	check(false, "the victim was not deleted");
	vTaskDelete(NULL);
}

static void phase_delete_other(void)
{
	unsigned destroyed = name_destroyed, counters = counter_destroyed;
	unsigned hits = counter_hits;
	size_t free_before = tl_port_values_free();
	TaskHandle_t t = NULL;

	xTaskCreate(victim, "victim", STACK_WORDS, NULL, PRIO_PAIR, &t);
	check(wait_notified(1), "the victim set its values");
	vTaskDelete(t);
	check(name_destroyed == destroyed + 1 && name_last &&
	      !strcmp(name_last, "victim"),
	      "delete by another task ran the victim's destructor on its value");
	check(counter_destroyed == counters + 1 && counter_hits == hits + 7,
	      "... and the typed one on its storage");
	check(name_current == &victim_locals,
	      "the victim's node was current while its destructors ran");
	check(tl_current() == &controller_locals && tl_get(&name_local) &&
	      !strcmp(tl_get(&name_local), "controller"),
	      "the deleting task's own values are current again");
	check(tl_port_values_free() == free_before,
	      "the victim's slots are back in the pool");
}

/* ------------------------------ phase: time slicing, two priorities */

struct busy {
	struct tl_node locals;
	struct busy *other;
	volatile unsigned long iterations;
	unsigned long slices;		/* the other one ran in between */
	unsigned long wrong;
};

static volatile bool slice_stop;

static void busy(void *arg)
{
	struct busy *b = arg;
	unsigned long seen = b->other->iterations;

	tl_set(&slice_local, b);
	while (!slice_stop) {
		unsigned long now = b->other->iterations;

		if (tl_get(&slice_local) != b)
			b->wrong++;
		if (now != seen)
			b->slices++;
		seen = now;
		b->iterations++;
	}
	finish_task();
}

struct high {
	struct tl_node locals;
	unsigned wakes;
	unsigned long wrong;
};

static void high(void *arg)
{
	struct high *h = arg;
	unsigned i;

	tl_set(&slice_local, h);
	for (i = 0; i < SLICE_WAKES; i++) {
		vTaskDelay(1);		/* the busy tasks run meanwhile */
		if (tl_get(&slice_local) == h)
			h->wakes++;
		else
			h->wrong++;
	}
	slice_stop = true;
	finish_task();
}

static void phase_slicing(void)
{
	static struct busy b[2];
	static struct high h;
	size_t free_before = tl_port_values_free();
	unsigned long deletes = trace_deletes, switches = trace_switches;

	b[0].other = &b[1];
	b[1].other = &b[0];
	spawn(busy, "busy0", PRIO_BUSY, &b[0], &b[0].locals);
	spawn(busy, "busy1", PRIO_BUSY, &b[1], &b[1].locals);
	spawn(high, "high", PRIO_HIGH, &h, &h.locals);
	check(wait_notified(3) && wait_deletes(deletes + 3),
	      "two busy tasks and a higher-priority one ran to the end");
	say("# slicing: busy0 %lu iterations, %lu slices; busy1 %lu, %lu; "
	    "high woke %u times; %lu switches\n", b[0].iterations, b[0].slices,
	    b[1].iterations, b[1].slices, h.wakes, trace_switches - switches);
	check(b[0].slices > 0 && b[1].slices > 0,
	      "time slicing: each busy task was preempted for the other");
	check(h.wakes == SLICE_WAKES,
	      "the higher-priority task preempted them and saw its own value");
	check(b[0].wrong + b[1].wrong + h.wrong == 0,
	      "no task saw another's value (%lu wrong)",
	      b[0].wrong + b[1].wrong + h.wrong);
	check(tl_port_values_free() == free_before, "slots back in the pool");
}

/* ------------------------------------- phase: the lock from an ISR */

static void phase_isr(void)
{
	int found = test_isr_lock("a_var", &name_local);

	if (found < 0) {
		say("ok %d - # SKIP no interrupt to pend on this port\n", ++checks);
		return;
	}
	check(found == 1, "the registry lock, taken from an interrupt handler");
}

/* ----------------------------------------------------- phase: stress */

#define STRESS_TASKS	4

/* Wrong results by call, so that a failure says where to look. */
enum { WRONG_SET, WRONG_GET, WRONG_THIS, WRONG_DEL, WRONG_SCHED,
       WRONG_KINDS };

struct stress {
	struct tl_node locals;
	struct tl_node inner[2];	/* the tasks of its own tl_sched */
	int inner_value[2];
	unsigned id;
	int value[ARRAY_SIZE(stress_local)];
	unsigned long iterations, preempted;
	unsigned long wrong[WRONG_KINDS];
};

static volatile bool stress_stop;

static void stress(void *arg)
{
	struct stress *s = arg;
	struct tl_local *inner_local = &stress_sched_local[s->id];
	unsigned long last = trace_switches;
	unsigned j;

	tl_sched_init(&stress_sched[s->id]);
	for (j = 0; j < 2; j++) {
		tl_task_init(&s->inner[j]);
		tl_sched_switch(&stress_sched[s->id], &s->inner[j]);
		if (tl_set(inner_local, &s->inner_value[j]))
			s->wrong[WRONG_SCHED]++;
	}
	while (!stress_stop) {
		struct counter *c;
		unsigned in = s->iterations & 1;

		tl_sched_switch(&stress_sched[s->id], &s->inner[in]);
		if (tl_get(inner_local) != &s->inner_value[in] ||
		    tl_set(inner_local, &s->inner_value[in]))
			s->wrong[WRONG_SCHED]++;

		for (j = 0; j < ARRAY_SIZE(stress_local); j++) {
			if (tl_set(&stress_local[j], &s->value[j]))
				s->wrong[WRONG_SET]++;
			if (tl_get(&stress_local[j]) != &s->value[j])
				s->wrong[WRONG_GET]++;
		}
		c = tl_this(&counter_local);
		if (!c || c->owner != xTaskGetCurrentTaskHandle())
			s->wrong[WRONG_THIS]++;
		else
			c->hits++;
		/* Now and then a slot goes back and comes again. */
		if ((s->iterations & 63) == 63 && tl_del(&stress_local[0]))
			s->wrong[WRONG_DEL]++;
		if (trace_switches != last) {
			last = trace_switches;
			s->preempted++;
		}
		s->iterations++;
	}
	tl_sched_switch(&stress_sched[s->id], NULL);
	tl_task_exit(&s->inner[0]);
	tl_task_exit(&s->inner[1]);
	finish_task();
}

static void phase_stress(void)
{
	static struct stress s[STRESS_TASKS];
	static const char *const names[STRESS_TASKS] = {
		"stress0", "stress1", "stress2", "stress3",
	};
	unsigned long deletes = trace_deletes, iterations = 0, wrong = 0;
	unsigned long preempted = 0, kind[WRONG_KINDS] = { 0 };
	unsigned counters = counter_destroyed;
	size_t free_before = tl_port_values_free();
	unsigned i, j;

	for (i = 0; i < STRESS_TASKS; i++) {
		s[i].id = i;
		spawn(stress, names[i], PRIO_BUSY, &s[i], &s[i].locals);
	}
	vTaskDelay(STRESS_TICKS);
	stress_stop = true;
	check(wait_notified(STRESS_TASKS) &&
	      wait_deletes(deletes + STRESS_TASKS),
	      "%u stress tasks stopped and deleted themselves", STRESS_TASKS);
	for (i = 0; i < STRESS_TASKS; i++) {
		iterations += s[i].iterations;
		preempted += s[i].preempted;
		for (j = 0; j < WRONG_KINDS; j++) {
			kind[j] += s[i].wrong[j];
			wrong += s[i].wrong[j];
		}
	}
	say("# stress: %lu iterations, %lu preempted mid-loop, %lu wrong "
	    "(TL_CACHE_SIZE=%d)\n", iterations, preempted, wrong, TL_CACHE_SIZE);
	if (wrong)
		say("# stress wrong by call: tl_set %lu, tl_get %lu, tl_this %lu, "
		    "tl_del %lu, tl_sched local %lu\n", kind[WRONG_SET],
		    kind[WRONG_GET], kind[WRONG_THIS], kind[WRONG_DEL],
		    kind[WRONG_SCHED]);
	check(iterations > 0 && preempted >= STRESS_TASKS,
	      "the stress tasks were preempted inside their loops (%lu times)",
	      preempted);
	check(wrong == 0, "stress: wrong values = %lu", wrong);
	check(counter_destroyed == counters + STRESS_TASKS,
	      "each stress task's typed value destroyed once");
	check(tl_port_values_free() == free_before,
	      "every stress slot back in the pool");
}

/* ------------------------------------- phase: exits that overlap */

/* Give @e's node its two values, with no switch meanwhile (at task level). */
static void exiter_fill(struct exiter *e)
{
	struct tl_node *was;

	tl_task_init(&e->node);
	vTaskSuspendAll();
	was = tl_switch(&e->node);
	check(tl_set(&overlap_local, e) == 0 &&
	      tl_set(&overlap_word, (void *)e->word) == 0,
	      "exiter %s: its node has its values", e->word);
	tl_switch(was);
	(void)xTaskResumeAll();
}

static void exiter(void *arg)
{
	struct exiter *e = arg;
	struct tl_node *self = tl_current();

	exiter_fill(e);
	tl_task_exit(&e->node);	/* its destructor blocks */
	check(tl_current() == self, "exiter %s: its own node current again",
	      e->word);
	finish_task();
}

static void phase_overlap(void)
{
	static struct exiter e[2] = {
		{ .word = "first" }, { .word = "second" }
	};
	static struct tl_node ex_locals[2];
	static struct exiter again = { .word = "again" };
	unsigned destroyed = overlap_destroyed;
	size_t free_before = tl_port_values_free();
	unsigned long deletes = trace_deletes;
	unsigned i;

	for (i = 0; i < 2; i++)
		spawn(exiter, e[i].word, PRIO_PAIR, &e[i], &ex_locals[i]);
	check(wait_notified(2) && wait_deletes(deletes + 2),
	      "two exits that overlap ran and ended");
	check(overlap_destroyed == destroyed + 2 && e[0].saw_own &&
	      e[1].saw_own,
	      "each blocked destructor saw its own node's values");
	/* Nothing is left of either exit: a node exits as any node. */
	exiter_fill(&again);
	tl_task_exit(&again.node);
	check(overlap_destroyed == destroyed + 3 && again.saw_own,
	      "the next exit runs its destructor with its node's values");
	check(tl_port_values_free() == free_before,
	      "the exited nodes' slots are back in the pool");
}

/* --------------------------------------------------- the controller */

static void phase_root_exit(void)
{
	unsigned destroyed = name_destroyed;

	/* The root context made current meanwhile: no switch may undo it. */
	vTaskSuspendAll();
	tl_root_exit();
	(void)xTaskResumeAll();
	check(name_destroyed == destroyed + 1 && name_last &&
	      !strcmp(name_last, "root"),
	      "tl_root_exit destroyed the value set before the scheduler");
}

static int marker;	/* another add-on's TLS pointer, index 0 */

static void control(void *arg)
{
	unsigned long switches;

	(void)arg;
	check(tl_current() == &controller_locals,
	      "a task created attached runs with its node from the start");
	check(tl_freertos_task_locals(NULL) == &controller_locals &&
	      TL_FREERTOS_TLS_INDEX == configNUM_THREAD_LOCAL_STORAGE_POINTERS - 1,
	      "its node is in TLS pointer %d, the last", TL_FREERTOS_TLS_INDEX);
	check(tl_get(&name_local) == NULL,
	      "its values are its own, not the root context's");
	vTaskSetThreadLocalStoragePointer(NULL, 0, &marker);
	tl_set(&name_local, "controller");

	phase_root();
	settle();
	phase_pair();
	settle();
	phase_delete_other();
	settle();
	phase_slicing();
	settle();
	phase_isr();
	settle();
	phase_stress();
	settle();
	phase_overlap();
	settle();
	phase_root_exit();

	switches = trace_switches;
	check(switches > 0 && trace_deletes == 13,
	      "the application's tracer still saw every switch and delete "
	      "(%lu, %lu)", switches, (unsigned long)trace_deletes);
	check(pvTaskGetThreadLocalStoragePointer(NULL, 0) == &marker,
	      "the other add-on's TLS pointer is intact");
	check(tl_port_values_free() == VALUES - 1,
	      "only the controller's own value holds a slot (%u of %u free)",
	      (unsigned)tl_port_values_free(), (unsigned)VALUES);
	say("1..%d\n", checks);
	test_finish(failures);
}

/* ------------------------------------------------------- before it */

void test_start(void)
{
	static const struct tl_port_memory mem = {
		.pool = pool_mem, .pool_size = sizeof(pool_mem),
		.largest = sizeof(struct counter),
		.arena = arena_mem, .arena_size = sizeof(arena_mem),
	};
	int err;

	say("# tasklocal on FreeRTOS %s, %s, TL_CACHE_SIZE=%d\n",
	    tskKERNEL_VERSION_NUMBER,
	    TEST_CORTEX_M ? "Cortex-M3 port" : "POSIX simulator", TL_CACHE_SIZE);
	err = tl_port_init(&tl_freertos_lock, &mem, all_locals,
			   ARRAY_SIZE(all_locals));
	check(!err, "tl_port_init: critical-section lock, arena, pool, %u locals (%s)",
	      (unsigned)ARRAY_SIZE(all_locals), tl_strerror(err));
	check(tl_port_values_free() == VALUES,
	      "pool of %u values of up to %u bytes: %u bytes", VALUES,
	      (unsigned)sizeof(struct counter), (unsigned)sizeof(pool_mem));

	/* Before the scheduler: the root context. */
	check(tl_current() == NULL && tl_set(&name_local, "root") == 0 &&
	      !strcmp(tl_get(&name_local), "root"),
	      "before the scheduler starts, values go to the root context");

	if (tl_freertos_task_create(control, "control", STACK_WORDS, NULL,
				    PRIO_CONTROL, &controller,
				    &controller_locals) != pdPASS)
		check(false, "create the controller");
	vTaskStartScheduler();
	check(false, "vTaskStartScheduler returned");
	test_finish(failures);
}
