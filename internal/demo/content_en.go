package demo

func init() {
	texts["en"] = &langText{
		AgentHello:    "Hi {name},",
		AgentBye:      "Kind regards,\n{agent}\n" + shopName,
		CustomerHello: []string{"Hello,", "Hi,", "Good morning,"},
		CustomerBye:   []string{"Thanks,\n{cfirst}", "Best wishes,\n{cname}", "Many thanks,\n{cname}"},
		Working: []string{
			"Thanks for your message. I'm looking into this now and will get back to you by tomorrow at the latest.",
			"Thank you for getting in touch. I've asked our warehouse to check and will update you as soon as I hear back.",
		},
		Rework: []string{
			"Sorry to write again, but this still isn't sorted. Nothing has changed on my side since your last email. Could you take another look?",
			"I thought this was settled, but I'm still having the same problem. Could you check again, please?",
		},
		Final: []string{
			"I'm sorry it wasn't sorted the first time. I've gone through everything again from the start and found what went wrong: the change hadn't been saved on our side. It's fixed now, and I'll keep an eye on it myself. Thank you for your patience.",
			"Thanks for letting me know, and apologies for the extra trouble. This time I checked it together with my colleague in the warehouse and it's done: you'll get a confirmation email today.",
		},
		NoAnswer: []string{
			"I'm just checking in, as we haven't heard back from you. I'll mark this request as solved for now, but if you reply to this email it will reopen automatically.",
		},
		dateOn: dateEN, dateBy: dateEN, money: moneyEN,
		Addresses: []string{"Flat 2, 14 Mill Lane, York YO1 7HU", "27 Station Road, Bristol BS1 4XE", "8 Rosemary Close, Leeds LS6 2QT", "51 Harbour Street, Whitstable CT5 1AH", "3 Orchard Way, Cambridge CB4 1ZX"},
		Scenarios: map[string]scenarioText{
			"late": {
				Subjects: []string{"Order {order} hasn't arrived", "Where is my order {order}?", "Late delivery: order {order}"},
				Opening: []string{
					"I ordered the {product} on {date} (order {order}) and the tracking still says \"in transit\". The confirmation promised delivery within 3 working days. Could you tell me where it is?",
					"My order {order} should have arrived by now; I placed it on {date}. I need the {product} for this weekend. Can you check what's going on?",
				},
				Ask:    []string{"Thanks for your message, and I'm sorry the parcel is late. I've asked the courier to trace it. To speed things up, could you confirm the delivery address and whether a neighbour might have taken it in? I'll get straight back to you once I hear from them."},
				Answer: []string{"The address on the order is correct and I've asked both neighbours: nobody has it. Thanks for looking into it."},
				Solve: []string{
					"I'm sorry the {product} is taking so long. I checked with the courier: the parcel was held at their local depot after a sorting error and is now out for delivery, so you should have it by {date2}. I've refunded the shipping cost on order {order} as an apology; it will show on your statement in 3-5 days.",
					"Thanks for your patience. Order {order} left our warehouse on time, but the courier mislabelled it. I've sent a new {product} by express today, so it should reach you by {date2}. If the first parcel turns up, just refuse it and it will come back to us.",
				},
				SolveAfter: []string{"Thank you for checking. The courier has confirmed the parcel was lost in transit, so I've sent a replacement {product} by express. It will arrive by {date2}, and the tracking link is in your inbox. I've also refunded the shipping on {order}."},
			},
			"damaged": {
				Subjects: []string{"{product} arrived damaged", "Broken item in order {order}", "Damaged delivery"},
				Opening: []string{
					"The {product} from order {order} arrived today with a big crack on one side. The box looked fine from the outside. What can you do?",
					"Unfortunately the {product} I received (order {order}) is damaged; it looks like it was dropped in transit. I'd like a replacement rather than a refund if possible.",
				},
				Ask:    []string{"I'm so sorry the {product} arrived like that. Could you send me one or two photos of the damage and of the box? That's all I need to arrange a replacement, and you won't have to send anything back."},
				Answer: []string{"Here are the photos (attached). You can see the crack on the left side, and the box was dented in one corner."},
				Solve: []string{
					"I'm really sorry the {product} arrived damaged. I've arranged a free replacement, which leaves our warehouse today and should reach you by {date2}. There's no need to return the broken one: please recycle it, or keep it if it's still useful.",
					"Sorry about this; that's not how your order should arrive. I've refunded {amount} to your original payment method, and you'll see it within 5 working days. Please keep or recycle the damaged {product}.",
				},
				SolveAfter: []string{"Thank you for the photos, that's very clear. A replacement {product} is on its way and should arrive by {date2}. Please keep or recycle the damaged one; I've also asked the warehouse to pack these more carefully."},
			},
			"refund": {
				Subjects: []string{"Refund for returned order {order}", "Still waiting for my refund", "When will I get my money back?"},
				Opening: []string{
					"I returned the {product} from order {order} two weeks ago and haven't received the refund of {amount} yet. The tracking shows you received the parcel. Can you check?",
					"I sent back order {order} on {date}, but there's still no refund on my card. How long does it usually take?",
				},
				Ask:    []string{"Thanks for getting in touch. I can see the return for order {order}, but I can't match the parcel yet. Could you send me the return tracking number from the receipt you got at the drop-off point?"},
				Answer: []string{"Sure, the return tracking number is {ref}. I dropped it off at the post office on {date}."},
				Solve: []string{
					"Thanks for your patience. Your return arrived safely and I've just processed the refund of {amount} for order {order}. Depending on your bank it will show on your account within 3-5 working days.",
					"I'm sorry for the wait; our returns team was behind after a busy weekend. The refund of {amount} was issued today to the card you paid with, and you'll receive a confirmation email shortly.",
				},
				SolveAfter: []string{"Thank you, that helped. I found the parcel: it had been logged under the wrong order. The refund of {amount} has been issued today and should reach your account within 3-5 working days."},
			},
			"invoice": {
				Subjects: []string{"Invoice for order {order}", "Need a copy of my invoice", "VAT invoice request"},
				Opening: []string{
					"Could you send me an invoice for order {order}? I need it for my accounts and I can't find it in my customer area.",
					"I need a VAT invoice for order {order} made out to my company. Is that possible?",
				},
				Ask:    []string{"Happy to help. To make the invoice out to your company, could you send me the company name, address and VAT number exactly as they should appear?"},
				Answer: []string{"Of course: the company details are in my signature below, and the VAT number is {vat}."},
				Solve: []string{
					"I've attached the invoice for order {order} to this email as a PDF. You can also download all your invoices at any time from My account → Orders.",
					"Here's the invoice for order {order} (PDF attached). If you need it made out to a company, just send me the company details and VAT number and I'll reissue it.",
				},
				SolveAfter: []string{"Thanks! I've reissued the invoice for order {order} with your company details and VAT number; it's attached to this email. The old one has been cancelled, so please use this version for your accounts."},
			},
			"password": {
				Subjects: []string{"Can't log in to my account", "Password reset email not arriving", "Problem with login"},
				Opening: []string{
					"I've tried to reset my password three times but the email never arrives. I checked the spam folder too. Can you help?",
					"Since yesterday I can't log in: it says my password is wrong, but I haven't changed it. I need to check the status of order {order}.",
				},
				Ask:    []string{"Sorry about the trouble logging in. Could you tell me which email address you use for your account, and which browser you're on? Then I can check whether our reset emails are reaching you."},
				Answer: []string{"It's this address, the one I'm writing from. I use Chrome on my laptop, but it doesn't work on my phone either."},
				Solve: []string{
					"Thanks for letting us know. Your email provider had been bouncing our messages, so I've cleared the block on our side and sent a fresh reset link a minute ago. It's valid for one hour; let me know if it doesn't turn up.",
					"I've checked your account: it was locked after several failed attempts, which is a safety measure. I've unlocked it, and you can now log in or use \"Forgot password\" to choose a new one.",
				},
				SolveAfter: []string{"Thanks for the details. Our reset emails to your address were being held by a spam filter; I've fixed that and sent you a new reset link just now. It's valid for one hour."},
			},
			"product": {
				Subjects: []string{"Question about the {product}", "Is the {product} suitable for outdoors?", "{product}: dimensions and care"},
				Opening: []string{
					"I'm interested in the {product}. Can it stay outside all winter, or should I bring it in when it freezes?",
					"Before I order the {product}, could you tell me the exact dimensions and whether it needs any special care?",
				},
				Ask:    []string{"Good question! To give you the right advice: will it be in full sun or in a sheltered spot, and roughly where do you live? Winters vary a lot."},
				Answer: []string{"It would be on a south-facing balcony, partly covered. We get a few weeks of frost every winter."},
				Solve: []string{
					"Thanks for asking! The {product} is weather-resistant and fine outdoors from spring to autumn. For winters with frost we recommend storing it in a shed or garage, which keeps it looking good for years. The full measurements are on the product page under \"Details\".",
					"Great question. The {product} comes with a 2-year guarantee, and the only care it needs is a wipe with a damp cloth now and then. If you have any other questions before ordering, I'm happy to help.",
				},
				SolveAfter: []string{"A covered south-facing balcony is ideal. The {product} will be fine there most of the year; during the frosty weeks, just move it against the wall or cover it. That way it should last many seasons."},
			},
			"praise": {
				Subjects: []string{"Thank you, {praised}!", "Great service", "A compliment for {praised}"},
				Opening: []string{
					"I just wanted to say thank you to {praised}, who helped me last week with order {order}. Quick, friendly, and everything solved in one email. That's why I keep shopping with you!",
					"A quick note to say how happy I am with the {product} and with your service. {praised} was incredibly helpful. Please pass on my thanks!",
				},
				Solve: []string{
					"Thank you so much for your kind words, they made my day! I've shared your message with the whole team. We're here whenever you need us.",
					"What a lovely message, thank you! It means a lot to us, and I'll make sure the whole team sees it. Happy gardening!",
				},
			},
			"address": {
				Subjects: []string{"Change delivery address for order {order}", "Wrong address on my order", "Can I change the delivery address?"},
				Opening: []string{
					"I've just realised I put my old address on order {order}, which I placed on {date}. Could you change it to: {address}?",
					"Is it still possible to change the delivery address for order {order}? I'd like it sent to {address} instead.",
				},
				Ask:    []string{"I can try to catch it before it leaves. Could you confirm the full new address including the postcode, and a phone number for the courier?"},
				Answer: []string{"Yes: {address}. The courier can call me on the number in my account."},
				Solve: []string{
					"Good news: the order hadn't left the warehouse yet, so I've changed the delivery address to {address}. You'll get a new tracking email once it ships.",
					"Order {order} had already been handed to the courier, but I've asked them to redirect it to {address}. It may take one extra day, so expect it by {date2}.",
				},
				SolveAfter: []string{"Thanks for confirming. I've updated order {order} with the new address, {address}, and the courier has the change. Expected delivery is {date2}."},
			},
			"wrong": {
				Subjects: []string{"Wrong item received in order {order}", "This isn't what I ordered", "Received the wrong product"},
				Opening: []string{
					"I ordered the {product} (order {order}) but the box contained something completely different. Can you send the right item?",
					"Today I received my parcel for order {order}, but instead of the {product} there's a different product inside. How do I send it back?",
				},
				Ask:    []string{"Sorry about the mix-up! Could you tell me what's on the label of the item you received, or send a photo? That helps the warehouse find where it went wrong."},
				Answer: []string{"The label has a different product code from my order confirmation. I've attached a photo."},
				Solve: []string{
					"I'm sorry: our warehouse packed the wrong item. The {product} is on its way by express and should arrive by {date2}. The courier will collect the wrong item at the same time, so you don't need to do anything.",
					"Apologies for the mix-up. I've emailed you a prepaid return label, and the correct {product} has already been dispatched; it should be with you by {date2}.",
				},
				SolveAfter: []string{"Thanks, the photo helped: it was a picking error at our warehouse. The correct {product} ships today by express (expected by {date2}), and the courier will pick up the wrong item when they deliver."},
			},
			"gift": {
				Subjects: []string{"Gift card question", "Gift card code doesn't work", "Balance of my gift card"},
				Opening: []string{
					"I received an Aurora gift card for my birthday (code {code}). How do I use it, and can I combine it with a discount code?",
					"The gift card code {code} is rejected at checkout. It was a present, bought in December. Can you check it?",
				},
				Ask:    []string{"Happy to check. Could you send me a photo of the back of the card, or the email it came in? Some older cards have two codes and only one works online."},
				Answer: []string{"Here's the email it came in, with the code and the date it was bought."},
				Solve: []string{
					"Your gift card {code} is active with a balance of {amount}. Enter the code in the \"Gift card\" field at checkout; you can combine it with one discount code. It's valid for two years from purchase.",
					"I've checked the gift card {code}: it hadn't been activated by the shop that sold it. I've activated it now, so the full {amount} is available at checkout. Sorry for the hassle!",
				},
				SolveAfter: []string{"Thank you. The card was never activated at the point of sale; I've activated it now, and the balance of {amount} is ready to use at checkout."},
			},
		},
	}
}
