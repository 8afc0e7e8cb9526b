package demo

import (
	"context"
	"strconv"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/attachment"
	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/savedreply"
	"github.com/rapport/rapport/internal/ticket"
)

// savedReplyDefs are the shop's saved replies: a start for the answers its
// agents write most, in each language it serves.
var savedReplyDefs = []savedreply.Input{
	{Language: "en", Title: "Parcel sent again", Body: "Thank you for your patience. We have sent your order again today with express delivery, at no cost to you; the tracking link follows by email within the hour."},
	{Language: "en", Title: "Refund started", Body: "We have started your refund today. It reaches the card you paid with in 3 to 5 working days; you do not need to send anything back first."},
	{Language: "it", Title: "Pacco rispedito", Body: "Grazie per la pazienza. Abbiamo rispedito oggi il Suo ordine con consegna espressa, senza alcun costo per Lei; il link per seguirlo arriva via email entro un'ora."},
	{Language: "it", Title: "Rimborso avviato", Body: "Abbiamo avviato oggi il Suo rimborso. Arriverà sulla carta usata per il pagamento in 3-5 giorni lavorativi; non serve rispedire nulla prima."},
	{Language: "ru", Title: "Заказ отправлен повторно", Body: "Спасибо за терпение. Мы сегодня повторно отправили ваш заказ экспресс-доставкой, бесплатно для вас; ссылка для отслеживания придёт по почте в течение часа."},
	{Language: "ru", Title: "Возврат оформлен", Body: "Мы сегодня оформили возврат денег. Они поступят на карту, которой вы платили, за 3–5 рабочих дней; ничего отправлять заранее не нужно."},
	{Language: "lv", Title: "Sūtījums nosūtīts vēlreiz", Body: "Paldies par pacietību. Šodien jūsu pasūtījumu nosūtījām vēlreiz ar eksprespiegādi, bez maksas; izsekošanas saiti saņemsiet e-pastā stundas laikā."},
	{Language: "lv", Title: "Naudas atmaksa sākta", Body: "Šodien sākām jūsu naudas atmaksu. Tā nonāks kartē, ar kuru maksājāt, 3–5 darba dienās; iepriekš nekas nav jāsūta atpakaļ."},
	{Language: "ca", Title: "Comanda reenviada", Body: "Gràcies per la paciència. Avui li hem tornat a enviar la comanda amb lliurament urgent, sense cap cost; l'enllaç de seguiment li arribarà per correu d'aquí a una hora."},
	{Language: "ca", Title: "Reemborsament iniciat", Body: "Avui hem iniciat el seu reemborsament. Arribarà a la targeta amb què va pagar en 3-5 dies laborables; no cal que ens retorni res abans."},
}

// seedSavedReplies writes the shop's saved replies, by its first manager,
// and has one agent send one unchanged on a ticket they are working on, so
// that the demo's scorecards show the robotism it is flagged as.
func (r *runner) seedSavedReplies(ctx context.Context) error {
	var manager int64
	for i, s := range roster {
		if s.Role == agent.RoleManager {
			manager = r.agentIDs[i]
			break
		}
	}
	saved := savedreply.New(r.o.DB, r.clock)
	for _, in := range savedReplyDefs {
		if _, err := saved.Create(ctx, manager, in); err != nil {
			return err
		}
	}
	// The newest tickets agents are working on (open or pending, owned):
	// the first in a language of the saved replies gets one unchanged, an
	// English one a return label with the returns desk in Cc.
	sentSaved, sentLabel := false, r.o.AttachmentsDir == ""
	for i := len(r.p.tickets) - 1; i >= 0 && !(sentSaved && sentLabel); i-- {
		tp := r.p.tickets[i]
		if tp.id == 0 {
			continue
		}
		t, err := r.tickets.Get(ctx, tp.id)
		if err != nil {
			return err
		}
		if (t.Status != ticket.Open && t.Status != ticket.Pending) || t.OwnerID == 0 || r.promised[t.ID] {
			continue // a ticket with an action plan keeps its own story
		}
		if !sentLabel && t.Language == "en" {
			if err := r.sendReturnLabel(ctx, t, tp.cust.First); err != nil {
				return err
			}
			sentLabel = true
			continue
		}
		for _, in := range savedReplyDefs {
			if !sentSaved && in.Language == t.Language {
				if _, err := r.tickets.Reply(ctx, ticket.AgentActor(t.OwnerID), t.ID, in.Body, ""); err != nil {
					return err
				}
				sentSaved = true
			}
		}
	}
	return nil
}

// sendReturnLabel has the owner of ticket t send the customer a return
// label as a file, copying the shop's returns desk.
func (r *runner) sendReturnLabel(ctx context.Context, t ticket.Ticket, first string) error {
	files := attachment.New(r.o.DB, attachment.Dir{Path: r.o.AttachmentsDir}, r.clock)
	// A service of its own that keeps files; like the runner's, it tells
	// no subscriber, so nothing is emailed to the made-up customer.
	svc := ticket.NewService(ticket.Opts{DB: r.o.DB, Clock: r.clock, Jobs: jobs.New(r.o.DB, r.clock, r.o.Log),
		Customers: r.custs, Log: r.o.Log, AutoCloseDays: autoCloseDays, Attachments: files})
	label := "AURORA HOME & GARDEN - RETURN LABEL\n\nTicket #" + strconv.FormatInt(t.ID, 10) +
		"\nFrom: " + t.CustomerName + "\nTo: Aurora Returns, Via del Porto 12, 16121 Genova, Italy\nPostage paid.\n"
	_, err := svc.ReplyWith(ctx, ticket.AgentActor(t.OwnerID), t.ID, ticket.ReplyDraft{
		Body: "Hi " + first + ",\n\nhere is the return label, attached: print it, stick it on the box, and any post office " +
			"will take the parcel free of charge. I have copied our returns desk, so they know it is on its way.\n\n" +
			"Thanks for your patience,\nthe Aurora team",
		Cc:    "Aurora Returns <returns@demo.example.com>",
		Files: []attachment.File{{Filename: "return-label.txt", ContentType: "text/plain; charset=utf-8", Data: []byte(label)}},
	})
	return err
}
