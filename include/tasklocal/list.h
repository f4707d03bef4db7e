/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tasklocal/list.h - the intrusive doubly linked ring every task and slot
 * is made of.
 *
 * A list is a head (struct tl_node) whose next/prev point at itself when
 * empty; elements embed a struct tl_node and are found again with
 * tl_container_of().  Every operation is O(1) except the iterators.  None of
 * them locks: the caller serialises access to one list.
 *
 *   operation                cost   note
 *   tl_node_init/_INIT       O(1)   empty ring
 *   tl_node_add/_add_tail    O(1)   insert after / before the head
 *   tl_node_del              O(1)   unlink and poison
 *   tl_node_empty            O(1)
 *   tl_node_splice_init      O(1)   move a whole list to the front of another
 *   tl_for_each_entry[_safe] O(n)   _safe when the body deletes
 */
#ifndef TASKLOCAL_LIST_H
#define TASKLOCAL_LIST_H

#include <stdbool.h>
#include <stddef.h>

/**
 * struct tl_node - a link in an intrusive ring, or the head of one
 * @next: following node (the first element, for a head)
 * @prev: preceding node (the last element, for a head)
 *
 * A task embeds one as the head of its values; every slot embeds one as its
 * link.  Two pointers, nothing else.
 */
struct tl_node {
	struct tl_node *next, *prev;
};

/**
 * TL_POISON_NEXT - the value tl_node_del() leaves in a node's next pointer
 *
 * With TL_POISON_PREV: non-NULL, never mapped in a hosted process, so a use
 * after tl_node_del() faults at once, and recognisable in a debugger or by
 * the TL_DEBUG checks.  Firmware whose low addresses are flash or RAM
 * defines both as addresses that fault on its part.
 *
 * Example::
 *
 *	void task_free(struct task *t)	// t was queued, then tl_node_del()ed
 *	{
 *		assert(t->link.next == TL_POISON_NEXT &&
 *		       t->link.prev == TL_POISON_PREV);	// not linked any more
 *		free(t);
 *	}
 */
#ifndef TL_POISON_NEXT
#define TL_POISON_NEXT ((struct tl_node *)0x100)
#endif
/**
 * TL_POISON_PREV - the value tl_node_del() leaves in a node's prev pointer
 *
 * See TL_POISON_NEXT.
 */
#ifndef TL_POISON_PREV
#define TL_POISON_PREV ((struct tl_node *)0x122)
#endif

/**
 * TL_NODE_INIT - static initialiser of an empty list head
 * @name: the variable being defined
 *
 * Example::
 *
 *	static struct tl_node sleepers = TL_NODE_INIT(sleepers);	// empty
 *
 *	void task_sleep(struct task *t)
 *	{
 *		tl_node_add_tail(&t->link, &sleepers);	// no init call first
 *	}
 */
#define TL_NODE_INIT(name) { &(name), &(name) }

/**
 * tl_container_of - the structure a member is embedded in
 * @ptr: pointer to the member
 * @type: type of the enclosing structure
 * @member: name of the member inside @type
 *
 * Address arithmetic only: @ptr is not dereferenced.
 *
 * Example::
 *
 *	struct task *current_task(void)
 *	{
 *		struct tl_node *cur = tl_current();
 *
 *		return cur ? tl_container_of(cur, struct task, locals) : NULL;
 *	}
 *
 * Context: any; a constant expression when @ptr is one.
 * Return: the enclosing @type object's address (of type @type *).
 */
#define tl_container_of(ptr, type, member) \
	((type *)(void *)((char *)(ptr) - offsetof(type, member)))

/**
 * tl_node_init - make @node an empty list head (or an unlinked node)
 * @node: the node
 *
 * Example::
 *
 *	struct scheduler { struct tl_node ready; unsigned ntasks; };
 *
 *	void scheduler_init(struct scheduler *s)
 *	{
 *		tl_node_init(&s->ready);	// an empty queue
 *		s->ntasks = 0;
 *	}
 *
 * Context: any; not thread safe for a node others may be walking.
 */
static inline void tl_node_init(struct tl_node *node)
{
	node->next = node;
	node->prev = node;
}

static inline void tl__node_insert(struct tl_node *node, struct tl_node *prev,
				   struct tl_node *next)
{
	next->prev = node;
	node->next = next;
	node->prev = prev;
	prev->next = node;
}

/**
 * tl_node_add - insert @node right after @head (stack order)
 * @node: an unlinked node
 * @head: the list head, or any node to insert after
 *
 * Example::
 *
 *	void task_preempted(struct task *t)
 *	{
 *		tl_node_add(&t->link, &run_queue);	// first in line again
 *	}
 *
 * Context: not thread safe; the caller owns the list.
 */
static inline void tl_node_add(struct tl_node *node, struct tl_node *head)
{
	tl__node_insert(node, head, head->next);
}

/**
 * tl_node_add_tail - insert @node right before @head (queue order)
 * @node: an unlinked node
 * @head: the list head
 *
 * Example::
 *
 *	void task_yield(struct task *t)	// t is off the queue while it runs
 *	{
 *		tl_node_add_tail(&t->link, &run_queue);	// behind the others
 *	}
 *
 * Context: not thread safe; the caller owns the list.
 */
static inline void tl_node_add_tail(struct tl_node *node, struct tl_node *head)
{
	tl__node_insert(node, head->prev, head);
}

/**
 * tl_node_del - unlink @node from its list and poison it
 * @node: a linked node
 *
 * Afterwards @node's pointers are TL_POISON_NEXT/TL_POISON_PREV: following
 * them faults instead of walking a list the node no longer belongs to.
 * Re-initialise with tl_node_init() before using it as a head.
 *
 * Example::
 *
 *	void task_cancel(struct task *t)	// t is queued, not running
 *	{
 *		tl_node_del(&t->link);		// wherever it was in the queue
 *		tl_task_exit(&t->locals);
 *	}
 *
 * Context: not thread safe; the caller owns the list.
 */
static inline void tl_node_del(struct tl_node *node)
{
	node->next->prev = node->prev;
	node->prev->next = node->next;
	node->next = TL_POISON_NEXT;
	node->prev = TL_POISON_PREV;
}

/**
 * tl_node_empty - whether a list has no elements
 * @head: the list head
 *
 * Example::
 *
 *	void wait_for_work(void)
 *	{
 *		if (tl_node_empty(&run_queue))
 *			idle();			// yours: sleep until an event
 *	}
 *
 * Context: not thread safe; the caller owns the list.
 * Return: true when @head links only to itself.
 */
static inline bool tl_node_empty(const struct tl_node *head)
{
	return head->next == head;
}

/**
 * tl_node_splice_init - move every element of @list to the front of @head
 * @list: the list whose elements move; it is left empty
 * @head: the list they join, before its own elements
 *
 * Example::
 *
 *	static struct tl_node woken = TL_NODE_INIT(woken);	// by wake-ups
 *
 *	void take_woken(void)
 *	{
 *		tl_node_splice_init(&woken, &run_queue);	// they run next
 *	}
 *
 * Context: not thread safe; the caller owns both lists.
 */
static inline void tl_node_splice_init(struct tl_node *list, struct tl_node *head)
{
	if (tl_node_empty(list))
		return;
	list->next->prev = head;
	list->prev->next = head->next;
	head->next->prev = list->prev;
	head->next = list->next;
	tl_node_init(list);
}

/**
 * tl_node_first_entry - the structure of the first node of a list
 * @head: the list head, not empty
 * @type: the enclosing type
 * @member: name of the struct tl_node inside @type
 *
 * Example::
 *
 *	void run_all(void)
 *	{
 *		while (!tl_node_empty(&run_queue)) {
 *			struct task *t;
 *
 *			t = tl_node_first_entry(&run_queue, struct task, link);
 *			tl_node_del(&t->link);
 *			run(t);			// yours; may queue t again
 *		}
 *	}
 *
 * Context: not thread safe; @head must not be empty.
 * Return: the @type object whose @member is @head's first node.
 */
#define tl_node_first_entry(head, type, member) \
	tl_container_of((head)->next, type, member)

/**
 * tl_for_each_entry - iterate over the structures linked into a list
 * @pos: loop cursor, a pointer to the enclosing type
 * @head: the list head
 * @member: name of the struct tl_node inside the enclosing type
 *
 * The body must not unlink @pos: use tl_for_each_entry_safe() for that.
 *
 * Example::
 *
 *	void print_ready(void)
 *	{
 *		struct task *t;
 *
 *		tl_for_each_entry(t, &run_queue, link)
 *			printf("ready: %p\n", (void *)t);
 *	}
 *
 * Context: not thread safe; the caller owns the list for the whole walk.
 */
#define tl_for_each_entry(pos, head, member)				      \
	for ((pos) = tl_container_of((head)->next, __typeof__(*(pos)), member); \
	     &(pos)->member != (head);					      \
	     (pos) = tl_container_of((pos)->member.next, __typeof__(*(pos)),  \
				     member))

/**
 * tl_for_each_entry_safe - iterate, the body may unlink the current entry
 * @pos: loop cursor, a pointer to the enclosing type
 * @n: a second cursor of the same type, holding the next entry
 * @head: the list head
 * @member: name of the struct tl_node inside the enclosing type
 *
 * The body may unlink @pos, but not @n: the walk continues from @n.
 *
 * Example::
 *
 *	void cancel_all(void)
 *	{
 *		struct task *t, *n;
 *
 *		tl_for_each_entry_safe(t, n, &run_queue, link) {
 *			tl_node_del(&t->link);
 *			tl_task_exit(&t->locals);
 *			free(t);
 *		}
 *	}
 *
 * Context: not thread safe; the caller owns the list for the whole walk.
 */
#define tl_for_each_entry_safe(pos, n, head, member)			      \
	for ((pos) = tl_container_of((head)->next, __typeof__(*(pos)), member), \
	     (n) = tl_container_of((pos)->member.next, __typeof__(*(pos)),    \
				   member);				      \
	     &(pos)->member != (head);					      \
	     (pos) = (n),						      \
	     (n) = tl_container_of((n)->member.next, __typeof__(*(n)), member))

#endif /* TASKLOCAL_LIST_H */
