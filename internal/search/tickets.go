package search

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
)

// KindTicket is the kind of a ticket's document: its subject (title),
// every message and note (body), and its number, customer's name, email
// addresses and phone numbers (extra), these also cut into their words, so
// that a part of an address is found on PostgreSQL too, whose parser keeps
// an address whole.
const KindTicket = "ticket"

// IndexTicket rewrites ticket id's document in tx, from the rows as tx
// sees them. The ticket service calls it in every change that writes a
// message, a subject or a language.
func (ix *Index) IndexTicket(ctx context.Context, tx *sql.Tx, id int64) error {
	_, err := ix.indexTickets(ctx, tx, id-1, id)
	return err
}

// IndexCustomer rewrites the documents of every ticket of customer id, whose
// name and identities they hold. The customer service calls it in the
// transaction that changes them.
func (ix *Index) IndexCustomer(ctx context.Context, tx *sql.Tx, id int64) error {
	rows, err := tx.QueryContext(ctx, ix.q.Get("customer-tickets"), id)
	if err != nil {
		return fmt.Errorf("search: customer %d: %w", id, err)
	}
	var ids []int64
	for rows.Next() {
		var t int64
		if err := rows.Scan(&t); err != nil {
			rows.Close()
			return fmt.Errorf("search: customer %d: %w", id, err)
		}
		ids = append(ids, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("search: customer %d: %w", id, err)
	}
	for _, t := range ids {
		if err := ix.IndexTicket(ctx, tx, t); err != nil {
			return err
		}
	}
	return nil
}

// indexTickets writes the documents of the tickets with ids in (after,
// upto], reading their rows with two queries, and returns how many there
// were.
func (ix *Index) indexTickets(ctx context.Context, tx *sql.Tx, after, upto int64) (int, error) {
	docs, err := ix.ticketDocs(ctx, tx, after, upto)
	if err != nil {
		return 0, fmt.Errorf("search: tickets (%d, %d]: %w", after, upto, err)
	}
	if err := ix.putMany(ctx, tx, docs); err != nil {
		return 0, err
	}
	return len(docs), nil
}

// ticketDocs makes the documents of the tickets with ids in (after, upto].
func (ix *Index) ticketDocs(ctx context.Context, tx *sql.Tx, after, upto int64) ([]Doc, error) {
	rows, err := tx.QueryContext(ctx, ix.q.Get("ticket-rows"), after, upto)
	if err != nil {
		return nil, err
	}
	var docs []Doc
	at := map[int64]int{}
	for rows.Next() {
		var id int64
		var subject, lang, name, identities string
		if err := rows.Scan(&id, &subject, &lang, &name, &identities); err != nil {
			rows.Close()
			return nil, err
		}
		at[id] = len(docs)
		num := strconv.FormatInt(id, 10)
		docs = append(docs, Doc{Kind: KindTicket, Ref: id, Language: lang, Title: subject,
			Extra: strings.Join([]string{"#" + num, name, identities, strings.Join(Words(identities), " ")}, " ")})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(docs) == 0 {
		return nil, nil
	}
	rows, err = tx.QueryContext(ctx, ix.q.Get("ticket-messages"), after, upto)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	bodies := make([]strings.Builder, len(docs))
	for rows.Next() {
		var id int64
		var text string
		if err := rows.Scan(&id, &text); err != nil {
			return nil, err
		}
		i, ok := at[id]
		if !ok || bodies[i].Len() > maxBody {
			continue
		}
		if bodies[i].Len() > 0 {
			bodies[i].WriteString("\n\n")
		}
		bodies[i].WriteString(text)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range docs {
		docs[i].Body = bodies[i].String()
	}
	return docs, nil
}
