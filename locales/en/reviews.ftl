## Reviews: read, report, hide

card-reviews = 💬 Reviews
command-reviews = Check reported reviews (retailers)
reviews-title = 💬 <b>Reviews</b>
reviews-friends = 👥 From friends:
reviews-others = 🛍 From other buyers:
reviews-line = { $number }. { $stars }★ <b>{ $name }</b>: “{ $text }”
reviews-line-stars = { $number }. { $stars }★ <b>{ $name }</b>
reviews-none = There are no visible reviews of this product.
reviews-report-button = ⚠️ Report { $number }
reviews-report-ask = ⚠️ Why are you reporting this review?
review-reason-insult = offensive
review-reason-spam = spam
review-reason-wrong = wrong product
reviews-reported = Thanks! The review is reported, we'll take a look.
reviews-reported-before = You've already reported this review.
reviews-queue-title = 🚩 <b>Reported reviews</b>
reviews-queue-reports = { $reports ->
    [one] ⚠️ 1 report
   *[other] ⚠️ { $reports } reports
  }: { $reasons }
reviews-queue-empty = No reported reviews. 🎉
reviews-hide-button = 🙈 Hide { $number }
reviews-hidden = 🙈 Hidden – the review no longer shows on any card.
reviews-hidden-before = This review was hidden already.
reviews-retailers-only = Only retailers can do that.
reviews-queue-private-only = I show reported reviews in a private chat only.
