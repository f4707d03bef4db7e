/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tasklocal/config.h - build options, shared by the library and its users.
 *
 * Every option is a macro with a default; override it with -D on the
 * compiler line of the library *and* of the code that includes tasklocal.h
 * (the generated tasklocal.pc carries the values the library was built
 * with).  A mismatch that matters fails at link time: the per-thread block
 * the inline fast path reads is defined with the library's options.
 *
 *   option                     default  meaning
 *   TL_THREADS                 1        0: one thread only; the current task
 *                                       and the cache are plain globals, no
 *                                       lock, no _Thread_local, no pthread
 *                                       (the default where there are no
 *                                       pthreads: bare metal, RTOS targets)
 *   TL_HEAPLESS                0        1: no malloc/free anywhere; slots come
 *                                       from tl_bind() and tl_pool, the
 *                                       registry from a tl_arena or another
 *                                       struct tl_allocator
 *   TL_CACHE_SIZE              128      per-thread lookup cache entries, a
 *                                       power of two >= 2 (sets of two
 *                                       entries); 0: no cache, every lookup
 *                                       walks the task's list.  With
 *                                       TL_THREADS 0 under a preemptive
 *                                       kernel the cache is safe when the
 *                                       lock given to tl_lock_set() keeps
 *                                       task switches out (a critical
 *                                       section): lookups detect a switch,
 *                                       and entries are filled under it
 *   TL_L2_SIZE                 0        entries (a power of two; 0: none)
 *                                       of a second-level cache per thread
 *                                       behind the sets, which only the out-
 *                                       of-line path reads: a scheduler
 *                                       cycling over more tasks than a set
 *                                       has ways finds their values without
 *                                       a walk.  Refused with TL_THREADS 0
 *                                       or TL_CACHE_SIZE 0 (library only:
 *                                       no effect on the inline code)
 *   TL_DEBUG                   0        1: check lists before each mutation
 *                                       and report corruption with the
 *                                       caller's file:line
 *   TL_DESTRUCTOR_ITERATIONS   4        rounds of destructors at task exit
 *   TL_DYNAMIC_TLS             0        1: the per-thread state in the
 *                                       general-dynamic TLS model, for a
 *                                       copy of the library linked into a
 *                                       plugin that is dlopen()ed (a few
 *                                       instructions more per lookup: no
 *                                       %fs-relative fast path)
 *   TL_THREAD_RECORDS          256      threads (TL_THREADS 1) that can keep
 *                                       freed slots and exit tasks without
 *                                       the lock at once: 64 static bytes
 *                                       each; a thread beyond them works
 *                                       without (library only: no effect on
 *                                       the inline code)
 */
#ifndef TASKLOCAL_CONFIG_H
#define TASKLOCAL_CONFIG_H

/* Threads where there are pthreads; bare metal and RTOS targets have none. */
#ifndef TL_THREADS
#if defined(__unix__) || defined(__APPLE__)
#define TL_THREADS 1
#else
#define TL_THREADS 0
#endif
#endif

#ifndef TL_HEAPLESS
#define TL_HEAPLESS 0
#endif

#ifndef TL_CACHE_SIZE
#define TL_CACHE_SIZE 128
#endif

#if (TL_CACHE_SIZE & (TL_CACHE_SIZE - 1)) || TL_CACHE_SIZE == 1
#error "TL_CACHE_SIZE must be 0 or a power of two, at least 2"
#endif

/*
 * Off by default: it costs every first value and its release (task churn
 * 643 -> 771 instructions), and with more tasks cycled than it has
 * entries it misses too (124 -> 157 per switch and lookup at 100 tasks).
 * It pays for schedulers cycling over 3 to about 30 tasks and for tasks
 * with many values (16 tasks of 64 values: 673 -> 86).  32 entries keep
 * the default per-thread memory within 4 KiB on x86-64.  None without
 * threads: its probe would need the switch count's rule (tl__probe()).
 */
#ifndef TL_L2_SIZE
#define TL_L2_SIZE 0
#endif

#if TL_L2_SIZE & (TL_L2_SIZE - 1)
#error "TL_L2_SIZE must be 0 or a power of two"
#endif
#if TL_L2_SIZE && !(TL_THREADS && TL_CACHE_SIZE)
#error "TL_L2_SIZE needs TL_THREADS 1 and a TL_CACHE_SIZE"
#endif

#ifndef TL_DEBUG
#define TL_DEBUG 0
#endif

/* POSIX's PTHREAD_DESTRUCTOR_ITERATIONS is 4 as well. */
#ifndef TL_DESTRUCTOR_ITERATIONS
#define TL_DESTRUCTOR_ITERATIONS 4
#endif
#if TL_DESTRUCTOR_ITERATIONS < 1
#error "TL_DESTRUCTOR_ITERATIONS: at least 1 round, or no destructor ever runs"
#endif

#ifndef TL_DYNAMIC_TLS
#define TL_DYNAMIC_TLS 0
#endif

#ifndef TL_THREAD_RECORDS
#define TL_THREAD_RECORDS 256
#endif
#if TL_THREAD_RECORDS < 1
#error "TL_THREAD_RECORDS: at least 1 (the main thread's)"
#endif

/*
 * The per-thread state lives in initial-exec TLS so the inline fast path is
 * a %fs-relative load even from the shared library (no __tls_get_addr).
 * Static TLS cannot grow once the program runs, so a plugin loaded by
 * dlopen() takes the general-dynamic model instead (TL_DYNAMIC_TLS).
 */
#if TL_THREADS && TL_DYNAMIC_TLS
#define TL__TLS_MODEL
#else
#define TL__TLS_MODEL __attribute__((tls_model("initial-exec")))
#endif
#if TL_THREADS && defined(__cplusplus)
#define TL__THREAD_LOCAL thread_local TL__TLS_MODEL
#elif TL_THREADS
#define TL__THREAD_LOCAL _Thread_local TL__TLS_MODEL
#else
#define TL__THREAD_LOCAL
#endif

/* Loads and stores that other threads may race with (none when TL_THREADS 0). */
#if TL_THREADS
#define TL__LOAD(p, order)	__atomic_load_n((p), __ATOMIC_##order)
#define TL__STORE(p, v, order)	__atomic_store_n((p), (v), __ATOMIC_##order)
#else
#define TL__LOAD(p, order)	(*(p))
#define TL__STORE(p, v, order)	((void)(*(p) = (v)))
#endif

/* A macro's value as a string (the assembler's symbol names, versions). */
#define TL__STR_(x)	#x
#define TL__STR(x)	TL__STR_(x)

#define TL__LIKELY(x)   __builtin_expect(!!(x), 1)
#define TL__UNLIKELY(x) __builtin_expect(!!(x), 0)

#endif /* TASKLOCAL_CONFIG_H */
